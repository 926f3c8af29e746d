import { oneLine } from '../emails.ts';
import { QUESTIONS } from '../questions/index.ts';
import type { WebhookEvent } from '../webhook-events.ts';

/**
 * What the notifier makes of one change on the table's stream: the webhook events it stands for and whether it is a
 * detractor the team must hear about now. Pure: the notifier (functions/notify-team) reads the images, this decides.
 */

/** Plain fields of a response image, as the stream carries them (unmarshalled). */
export interface ResponseImage {
  responseId: string;
  surveyId: string;
  customerId?: string;
  nps?: number;
  csat?: number;
  ces?: number;
  comment?: string;
  channel?: string;
  submittedAt: string;
  receivedAt: string;
  version?: number;
  invitationId?: string;
}

/** Plain fields of an invitation image. */
export interface InvitationImage {
  invitationId: string;
  surveyId: string;
  customerId: string;
  status: string;
  answeredAt?: string;
}

const str = (value: unknown) => (typeof value === 'string' && value.length > 0 ? value : undefined);
const int = (value: unknown) => (typeof value === 'number' && Number.isInteger(value) ? value : undefined);

/** A response image, or undefined when it lacks what an event needs (the scorer dead-letters such records). */
export function readResponse(item: Record<string, unknown> | undefined): ResponseImage | undefined {
  if (!item) return undefined;
  const responseId = str(item.responseId);
  const surveyId = str(item.surveyId);
  const submittedAt = str(item.submittedAt);
  const receivedAt = str(item.receivedAt) ?? submittedAt;
  if (!responseId || !surveyId || !submittedAt || !receivedAt) return undefined;
  const image: ResponseImage = { responseId, surveyId, submittedAt, receivedAt };
  const optional = {
    customerId: str(item.customerId),
    nps: int(item.nps),
    csat: int(item.csat),
    ces: int(item.ces),
    comment: str(item.comment),
    channel: str(item.channel),
    version: int(item.version),
    invitationId: str(item.invitationId),
  };
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) Object.assign(image, { [name]: value });
  return image;
}

export function readInvitation(item: Record<string, unknown> | undefined): InvitationImage | undefined {
  if (!item) return undefined;
  const invitationId = str(item.invitationId);
  const surveyId = str(item.surveyId);
  const customerId = str(item.customerId);
  const status = str(item.status);
  if (!invitationId || !surveyId || !customerId || !status) return undefined;
  return { invitationId, surveyId, customerId, status, ...(str(item.answeredAt) ? { answeredAt: str(item.answeredAt) } : {}) };
}

/** NPS 0–6. */
export const isDetractor = (nps: number | undefined): boolean => nps !== undefined && nps <= 6;

/**
 * An answer given this long before it reached the service is history (`npm run import -- responses`, the admin's
 * `submittedAt`): it is counted and published, but it is no news to alert the team about.
 */
export const HISTORY_MS = 24 * 60 * 60 * 1000;

/**
 * Whether this change makes a detractor the team has not heard of: a new answer of NPS 0–6, or an edit that turns
 * the answer into one (from a passive, a promoter or no NPS answer). An edit of a detractor answer that stays one
 * is not news; neither is history.
 */
export function alertsDetractor(before: ResponseImage | undefined, after: ResponseImage | undefined): boolean {
  if (!after || !isDetractor(after.nps)) return false;
  if (before && isDetractor(before.nps)) return false;
  return Date.parse(after.receivedAt) - Date.parse(after.submittedAt) <= HISTORY_MS;
}

/** Whether an edit changed what the customer answered (not just bookkeeping such as a channel kept). */
const answersChanged = (before: ResponseImage, after: ResponseImage) =>
  QUESTIONS.some((q) => (before as unknown as Record<string, unknown>)[q] !== (after as unknown as Record<string, unknown>)[q]);

/** The public fields of a response in an event's `data`. */
function responseData(r: ResponseImage): Record<string, unknown> {
  const data: Record<string, unknown> = { responseId: r.responseId, surveyId: r.surveyId, customerId: r.customerId ?? null };
  for (const q of QUESTIONS) {
    const value = (r as unknown as Record<string, unknown>)[q];
    if (value !== undefined) data[q] = value;
  }
  if (r.channel) data.channel = r.channel;
  data.submittedAt = r.submittedAt;
  data.receivedAt = r.receivedAt;
  return data;
}

/**
 * `response.created` for a new response, `response.updated` for a resubmission that changed its answers. Ids are
 * stable per occurrence (the version of the answers), so a redelivered record publishes the same event again.
 */
export function responseEvents(before: ResponseImage | undefined, after: ResponseImage | undefined): WebhookEvent[] {
  if (!after) return [];
  if (!before) {
    return [
      {
        id: `response.created:${after.responseId}`,
        type: 'response.created',
        timestamp: after.receivedAt,
        data: responseData(after),
      },
    ];
  }
  if (!answersChanged(before, after)) return [];
  return [
    {
      id: `response.updated:${after.responseId}:${after.version ?? after.receivedAt}`,
      type: 'response.updated',
      timestamp: after.receivedAt,
      data: responseData(after),
    },
  ];
}

/** `invitation.answered`, once per invitation: the write that moves it to `answered`. */
export function invitationEvents(before: InvitationImage | undefined, after: InvitationImage | undefined): WebhookEvent[] {
  if (!after || after.status !== 'answered' || before?.status === 'answered') return [];
  return [
    {
      id: `invitation.answered:${after.invitationId}`,
      type: 'invitation.answered',
      timestamp: after.answeredAt ?? new Date(0).toISOString(),
      data: {
        invitationId: after.invitationId,
        surveyId: after.surveyId,
        customerId: after.customerId,
        answeredAt: after.answeredAt ?? null,
      },
    },
  ];
}

/** Where the team looks at one customer: the dashboard, opened on them. */
export const customerDashboardUrl = (baseUrl: string, customerId: string) =>
  `${baseUrl.replace(/\/+$/, '')}/dashboard?customer=${encodeURIComponent(customerId)}`;

/** Everything the detractor alert names. */
export interface DetractorAlert {
  response: ResponseImage & { nps: number };
  survey: { surveyId: string; name?: string };
  /** Null for an anonymous answer. */
  customer: { customerId: string; name?: string } | null;
  /** The dashboard link, or null for an anonymous answer. */
  dashboardUrl: string | null;
}

export const detractorAlertId = (responseId: string) => `alert.detractor:${responseId}`;

export function detractorAlertEvent(alert: DetractorAlert): WebhookEvent {
  const { response, survey, customer } = alert;
  return {
    id: detractorAlertId(response.responseId),
    type: 'alert.detractor',
    timestamp: response.receivedAt,
    data: {
      responseId: response.responseId,
      surveyId: survey.surveyId,
      surveyName: survey.name ?? survey.surveyId,
      customerId: customer?.customerId ?? null,
      customerName: customer?.name ?? null,
      nps: response.nps,
      comment: response.comment ?? null,
      submittedAt: response.submittedAt,
      dashboardUrl: alert.dashboardUrl,
    },
  };
}

/** One message to the team (an email through the local SES, or the team topic deployed). */
export interface TeamMessage {
  subject: string;
  body: string;
}

export function detractorAlertMessage(alert: DetractorAlert): TeamMessage {
  const { response, survey, customer } = alert;
  const who = customer
    ? customer.name
      ? `${customer.name} (${customer.customerId})`
      : customer.customerId
    : 'An anonymous customer';
  const surveyName = survey.name ?? survey.surveyId;
  return {
    subject: oneLine(
      `Detractor alert: ${customer?.name ?? customer?.customerId ?? 'anonymous'} rated ${surveyName} ${response.nps}/10`,
    ),
    body: [
      `${who} answered "${surveyName}" with ${response.nps} out of 10.`,
      '',
      `Survey: ${surveyName} (${survey.surveyId})`,
      `Customer: ${customer ? who : '(anonymous)'}`,
      `Score: ${response.nps}/10`,
      `Comment: ${response.comment ?? '(none)'}`,
      `Submitted: ${response.submittedAt}`,
      `Response: ${response.responseId}`,
      ...(alert.dashboardUrl ? ['', `See the customer: ${alert.dashboardUrl}`] : []),
      '',
      'They get the personal follow-up email tomorrow; a word from you today may count more.',
    ].join('\n'),
  };
}

/** The team-message port: the team topic deployed, an email to `teamAddress` through the local SES locally. */
export type SendTeamMessage = (message: TeamMessage) => Promise<void>;

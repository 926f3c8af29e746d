import { describe, expect, it } from 'vitest';
import {
  alertsDetractor,
  customerDashboardUrl,
  detractorAlertEvent,
  detractorAlertMessage,
  invitationEvents,
  readInvitation,
  readResponse,
  responseEvents,
  type DetractorAlert,
  type ResponseImage,
} from '../../functions/core/alerts/notices.ts';

const RECEIVED = '2026-11-28T10:00:00.000Z';
const aResponse = (overrides: Partial<ResponseImage> = {}): ResponseImage => ({
  responseId: '01JDQ0000000000000000000AB',
  surveyId: 'after-purchase',
  customerId: 'c-1',
  submittedAt: RECEIVED,
  receivedAt: RECEIVED,
  version: 1,
  ...overrides,
});
const withNps = (nps: number | undefined, overrides: Partial<ResponseImage> = {}) => aResponse({ nps, ...overrides });

describe('which changes alert the team about a detractor', () => {
  // prettier-ignore
  it.each([
    ['a new answer of 3',                           undefined,           withNps(3),  true],
    ['a new answer of 6 (the last detractor score)', undefined,          withNps(6),  true],
    ['a new answer of 0',                           undefined,           withNps(0),  true],
    ['a new answer of 7 (a passive)',               undefined,           withNps(7),  false],
    ['a new answer without NPS',                    undefined,           aResponse({ csat: 1 }), false],
    ['an edit 9 → 3',                               withNps(9),          withNps(3, { version: 2 }), true],
    ['an edit 7 → 6',                               withNps(7),          withNps(6, { version: 2 }), true],
    ['an edit that adds a 2 to a CSAT-only answer', aResponse({ csat: 4 }), withNps(2, { version: 2 }), true],
    ['an edit 3 → 2: still a detractor',            withNps(3),          withNps(2, { version: 2 }), false],
    ['an edit of the comment of a 3',               withNps(3),          withNps(3, { comment: 'x', version: 2 }), false],
    ['an edit 3 → 9',                               withNps(3),          withNps(9, { version: 2 }), false],
    ['a deletion',                                  withNps(3),          undefined,   false],
    ['history: submitted two days before it came',  undefined,           withNps(2, { submittedAt: '2026-11-26T10:00:00.000Z' }), false],
    ['a day late is still news',                    undefined,           withNps(2, { submittedAt: '2026-11-27T10:00:00.000Z' }), true],
  ])('%s', (_, before, after, alerts) => {
    expect(alertsDetractor(before, after)).toBe(alerts);
  });
});

describe('response events', () => {
  it('a new response is response.created, with an id that is the same however often it is published', () => {
    const [event] = responseEvents(undefined, withNps(3, { comment: 'slow', channel: 'email' }));
    expect(event).toEqual({
      id: 'response.created:01JDQ0000000000000000000AB',
      type: 'response.created',
      timestamp: RECEIVED,
      data: {
        responseId: '01JDQ0000000000000000000AB',
        surveyId: 'after-purchase',
        customerId: 'c-1',
        nps: 3,
        comment: 'slow',
        channel: 'email',
        submittedAt: RECEIVED,
        receivedAt: RECEIVED,
      },
    });
    expect(responseEvents(undefined, withNps(3, { comment: 'slow', channel: 'email' }))).toEqual([event]);
  });

  it('a resubmission that changed an answer is response.updated, one id per version', () => {
    const events = responseEvents(withNps(9), withNps(3, { version: 2, receivedAt: '2026-11-28T11:00:00.000Z' }));
    expect(events.map((e) => [e.type, e.id, e.timestamp])).toEqual([
      ['response.updated', 'response.updated:01JDQ0000000000000000000AB:2', '2026-11-28T11:00:00.000Z'],
    ]);
    expect(events[0]!.data).toMatchObject({ nps: 3 });
    expect(responseEvents(withNps(3, { version: 2 }), withNps(3, { comment: 'now with words', version: 3 }))[0]!.id).toBe(
      'response.updated:01JDQ0000000000000000000AB:3',
    );
  });

  it('a write that changed no answer, and a deletion, publish nothing', () => {
    expect(responseEvents(withNps(3), withNps(3, { version: 2, channel: 'web' }))).toEqual([]);
    expect(responseEvents(withNps(3), undefined)).toEqual([]);
  });
});

describe('invitation events', () => {
  const invitation = (status: string) =>
    readInvitation({ invitationId: 'inv-1', surveyId: 's-1', customerId: 'c-1', status, answeredAt: RECEIVED });

  it('the move to answered is invitation.answered, once', () => {
    expect(invitationEvents(invitation('sent'), invitation('answered'))).toEqual([
      {
        id: 'invitation.answered:inv-1',
        type: 'invitation.answered',
        timestamp: RECEIVED,
        data: { invitationId: 'inv-1', surveyId: 's-1', customerId: 'c-1', answeredAt: RECEIVED },
      },
    ]);
    expect(invitationEvents(invitation('answered'), invitation('answered'))).toEqual([]);
    expect(invitationEvents(invitation('scheduled'), invitation('sent'))).toEqual([]);
    expect(invitationEvents(invitation('answered'), undefined)).toEqual([]);
  });
});

describe('reading stream images', () => {
  it('takes what an event needs and ignores the rest; an image without ids is none', () => {
    expect(
      readResponse({
        responseId: 'r',
        surveyId: 's',
        submittedAt: RECEIVED,
        receivedAt: RECEIVED,
        nps: 3,
        gsi1pk: 'x',
        version: 2,
      }),
    ).toEqual({ responseId: 'r', surveyId: 's', submittedAt: RECEIVED, receivedAt: RECEIVED, nps: 3, version: 2 });
    expect(readResponse({ surveyId: 's', submittedAt: RECEIVED })).toBeUndefined();
    expect(readResponse(undefined)).toBeUndefined();
    expect(readInvitation({ invitationId: 'i', surveyId: 's' })).toBeUndefined();
  });
});

describe('the detractor alert', () => {
  const alert: DetractorAlert = {
    response: { ...withNps(2, { comment: 'The parcel came broken.' }), nps: 2 },
    survey: { surveyId: 'after-purchase', name: 'After purchase' },
    customer: { customerId: 'c-1', name: 'Ayşe' },
    dashboardUrl: customerDashboardUrl('https://feedback.example/', 'c-1'),
  };

  it('links to the customer on the dashboard', () => {
    expect(alert.dashboardUrl).toBe('https://feedback.example/dashboard?customer=c-1');
    expect(customerDashboardUrl('', 'a b@c')).toBe('/dashboard?customer=a%20b%40c');
  });

  it('is one event per response, naming the survey, the customer, the score, the comment and the link', () => {
    expect(detractorAlertEvent(alert)).toEqual({
      id: 'alert.detractor:01JDQ0000000000000000000AB',
      type: 'alert.detractor',
      timestamp: RECEIVED,
      data: {
        responseId: '01JDQ0000000000000000000AB',
        surveyId: 'after-purchase',
        surveyName: 'After purchase',
        customerId: 'c-1',
        customerName: 'Ayşe',
        nps: 2,
        comment: 'The parcel came broken.',
        submittedAt: RECEIVED,
        dashboardUrl: 'https://feedback.example/dashboard?customer=c-1',
      },
    });
  });

  it('tells the team the same in the message', () => {
    const { subject, body } = detractorAlertMessage(alert);
    expect(subject).toBe('Detractor alert: Ayşe rated After purchase 2/10');
    for (const part of ['After purchase (after-purchase)', 'Ayşe (c-1)', 'Score: 2/10', 'Comment: The parcel came broken.'])
      expect(body).toContain(part);
    expect(body).toContain('See the customer: https://feedback.example/dashboard?customer=c-1');
  });

  it('says so when the answer is anonymous, and keeps the subject on one line', () => {
    const anonymous = { ...alert, customer: null, dashboardUrl: null, survey: { surveyId: 's-1', name: 'Line\r\nBcc: x' } };
    const { subject, body } = detractorAlertMessage(anonymous);
    expect(subject).toBe('Detractor alert: anonymous rated Line Bcc: x 2/10');
    expect(body).toContain('Customer: (anonymous)');
    expect(body).not.toContain('See the customer');
    expect(detractorAlertEvent(anonymous).data).toMatchObject({ customerId: null, customerName: null, dashboardUrl: null });
  });
});

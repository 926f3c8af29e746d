import { createHash } from 'node:crypto';
import { normaliseAddress } from '#core/mail/policy.ts';
import { npsClass } from '#core/timeline.ts';

/** The partition-key prefix of response items: the scorer's stream filter and its decoder select on it. */
export const RESPONSE_KEY_PREFIX = 'RESPONSE#';
/** The partition-key prefix of invitation items: the scorer counts their sends and answers (the response rate). */
export const INVITATION_KEY_PREFIX = 'INVITATION#';
const API_KEYS_PARTITION = 'APIKEYS';
const API_KEY_PREFIX = 'APIKEY#';
const WEBHOOKS_PARTITION = 'WEBHOOKS';
const WEBHOOK_PREFIX = 'WEBHOOK#';
/** The sort-key prefix of a customer's email ledger entries. */
export const EMAIL_LEDGER_PREFIX = 'EMAIL#';

/**
 * The only place that knows key shapes. Every item has `pk`, `sk` and `type`; GSI keys are set only on the
 * items an index is for (sparse indexes).
 *
 * | item          | pk                     | sk                          | gsi1 (pk / sk)                   | gsi2 (pk / sk)                     | gsi3 (pk / sk)                     |
 * |---------------|------------------------|-----------------------------|----------------------------------|------------------------------------|------------------------------------|
 * | survey        | SURVEY#<surveyId>      | #SURVEY                     | SURVEYS / <surveyId>             |                                    |                                    |
 * | customer      | CUSTOMER#<customerId>  | #CUSTOMER                   | BIRTHDAY#<MM-DD> / <customerId>  | LASTRESPONSE#<shard> / <at>#<cid>  | CADENCE#<shard> / <position>#<cid> |
 * | response      | RESPONSE#<responseId>  | #RESPONSE                   | SURVEY#<surveyId> / <at>#<rid>   | CUSTOMER#<customerId> / <at>#<rid> | NPSDAY#<date>#<class> / <cid>#<rid>|
 * | idempotency   | IDEMPOTENCY#<ns>#<key> | #IDEMPOTENCY                |                                  |                                    |                                    |
 * | score day     | SCORES#<surveyId>      | <dimension>#<day>#<segment> |                                  |                                    |                                    |
 * | segment values| SURVEY#<surveyId>      | #SEGMENTVALUES              |                                  |                                    |                                    |
 * | score claim   | SCORECLAIM#<eventID>   | #SCORECLAIM                 |                                  |                                    |                                    |
 * | email ledger  | CUSTOMER#<customerId>  | EMAIL#<campaignId>#<period> |                                  | EMAILS#<cid> / <claimedAt>#<c>#<p> |                                    |
 * | mail state    | CUSTOMER#<customerId>  | #MAILSTATE                  |                                  |                                    |                                    |
 * | address       | ADDRESS#<sha256>       | #ADDRESS                    |                                  |                                    |                                    |
 * | campaign run  | CAMPAIGN#<campaignId>  | RUN#<runId>                 | PAUSEDRUNS / <until>#<cid>#<rid> |                                    |                                    |
 * | send rate     | SENDRATE               | #ACCOUNT                    |                                  |                                    |                                    |
 * | invitation    | INVITATION#<invId>     | #INVITATION                 | SURVEYINVITES#<sid> / <at>#<inv> | INVITATIONS#<cid> / <at>#<invId>   | INVITEDUE#<shard> / <dueAt>#<inv>  |
 * | invite state  | CUSTOMER#<customerId>  | #INVITESTATE                |                                  |                                    |                                    |
 * | event         | EVENT#<eventId>        | #EVENT                      |                                  | EVENTS#<cid> / <occurredAt>#<eid>  |                                    |
 * | cadence run   | CADENCERUN#<surveyId>  | #CADENCERUN                 |                                  |                                    |                                    |
 * | API key       | APIKEYS                | APIKEY#<keyId>              |                                  |                                    |                                    |
 * | erasure       | ERASURE#<sha256 of cid>| #ERASURE                    |                                  |                                    |                                    |
 * | alert mark    | ALERT#<alert>#<subject>| #ALERT                      |                                  |                                    |                                    |
 * | webhook       | WEBHOOKS               | WEBHOOK#<webhookId>         |                                  |                                    |                                    |
 * | delivery      | WEBHOOKDELIVERY#<did>  | #WEBHOOKDELIVERY            | WEBHOOKDELIVERIES#<wid> / <at>#<did> |                                |                                    |
 *
 * gsi4 holds customer items only, under their address: `ADDRESS#<sha256>` / `<customerId>` (customerAddressIndex).
 *
 * Score days are the scorer's aggregates: one survey's in one partition, each dimension's days contiguous, so a
 * date range of one dimension is one key-range query that reads nothing else (before this layout the sort key was
 * `<day>#<dimension>#<segment>`: `npm run scores -- rebuild` moves such items). A score claim marks one stream
 * record as applied (TTL 48 h, beyond the stream's 24 h retention). Segment values are the channel and attribute
 * values anonymous answers have made segments of, per dimension (segment-values.ts). An address item is the
 * unit of contact every customer with that email address shares: opted out, suppressed, and its claim windows; its
 * key is the SHA-256 (hex) of the normalised address, so no address appears in a key. A campaign run is in the
 * paused-runs index (gsi1) only while paused, `<until>` being its resumeAfter: the resume sweep reads just the runs
 * that wait, due first. An invitation is in the due index (gsi3) only while an action is due (its send, its
 * reminder, its expiry): the dispatcher reads due items, never the rest. The invite state holds a customer's latest
 * invitation instant and their open invitation per survey (attributes `open:<surveyId>`), the facts the contact
 * rules check atomically. API keys share one partition (the team's few keys: listed with one Query, oldest
 * first, as their ids are time-ordered); each holds the SHA-256 of its secret, never the secret. An erasure marks a
 * customer being (then having been) erased, keyed by the SHA-256 of the id: it carries a DELETE over invocations and
 * retries, and refuses the customer's old links for as long as a link can live (TTL 366 days). An alert mark makes an
 * alert to the team once: `detractor` per response id, `score_drop` per `<surveyId>:<metric>:<period>`; it holds ids
 * and its state (claimed, sent), nothing personal. Webhooks share one
 * partition (the team's few: an event's subscribers are one Query of it); each holds its signing secret. A delivery
 * is one event for one webhook, keyed by its deterministic id (core/webhooks.ts `deliveryIdOf`), so publishing an
 * event again writes nothing; it is in its webhook's deliveries (gsi1), newest first, and expires after 30 days.
 */
export const keys = {
  survey: (surveyId: string) => ({ pk: `SURVEY#${surveyId}`, sk: '#SURVEY' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: '#CUSTOMER' }),
  response: (responseId: string) => ({ pk: `${RESPONSE_KEY_PREFIX}${responseId}`, sk: '#RESPONSE' }),
  /** `scopedKey`: the caller's namespace and their key (scopedIdempotencyKey in idempotency.ts). */
  idempotency: (scopedKey: string) => ({ pk: `IDEMPOTENCY#${scopedKey}`, sk: '#IDEMPOTENCY' }),
  scoreDay: (surveyId: string, day: string, dimension: string, segment: string) => ({
    pk: `SCORES#${surveyId}`,
    sk: `${dimension}#${day}#${segment}`,
  }),
  /** The partition of a survey's score days (the recount reads it whole). */
  scores: (surveyId: string) => ({ pk: `SCORES#${surveyId}` }),
  segmentValues: (surveyId: string) => ({ pk: `SURVEY#${surveyId}`, sk: '#SEGMENTVALUES' }),
  scoreClaim: (eventId: string) => ({ pk: `SCORECLAIM#${eventId}`, sk: '#SCORECLAIM' }),
  /** One appreciation email, claimed before it is sent: a customer gets a campaign once per period. */
  emailLedger: (customerId: string, campaignId: string, period: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: `${EMAIL_LEDGER_PREFIX}${campaignId}#${period}`,
  }),
  /** The last date each campaign, and any appreciation email, was claimed for a customer: the claim windows. */
  mailState: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: '#MAILSTATE' }),
  /** An email address's contact state, whichever customers have it (`normaliseAddress`: case and spaces do not count). */
  address: (email: string) => ({
    pk: `ADDRESS#${createHash('sha256').update(normaliseAddress(email), 'utf8').digest('hex')}`,
    sk: '#ADDRESS',
  }),
  campaignRun: (campaignId: string, runId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: `RUN#${runId}` }),
  invitation: (invitationId: string) => ({ pk: `${INVITATION_KEY_PREFIX}${invitationId}`, sk: '#INVITATION' }),
  inviteState: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: '#INVITESTATE' }),
  event: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: '#EVENT' }),
  /** A relationship survey's progress through its cadence: the day being scheduled and where its reading stopped. */
  cadenceRun: (surveyId: string) => ({ pk: `CADENCERUN#${surveyId}`, sk: '#CADENCERUN' }),
  /** The account's next free SES send slot, shared by every mailer (every run, schedule and email kind). */
  sendRate: () => ({ pk: 'SENDRATE', sk: '#ACCOUNT' }),
  /** An API key: its name, scopes and the hash of its secret. */
  apiKey: (keyId: string) => ({ pk: API_KEYS_PARTITION, sk: `${API_KEY_PREFIX}${keyId}` }),
  /** The partition of every API key (the listing reads it whole). */
  apiKeys: () => ({ pk: API_KEYS_PARTITION }),
  /** A customer's erasure, in progress or done: keyed by a hash, so the erased id is not kept in the clear. */
  webhook: (webhookId: string) => ({ pk: WEBHOOKS_PARTITION, sk: `${WEBHOOK_PREFIX}${webhookId}` }),
  /** The partition of every webhook (the listing and an event's subscribers read it). */
  webhooks: () => ({ pk: WEBHOOKS_PARTITION }),
  webhookDelivery: (deliveryId: string) => ({ pk: `WEBHOOKDELIVERY#${deliveryId}`, sk: '#WEBHOOKDELIVERY' }),
  erasure: (customerId: string) => ({
    pk: `ERASURE#${createHash('sha256').update(customerId, 'utf8').digest('hex')}`,
    sk: '#ERASURE',
  }),
  /** One alert to the team (alert-marks.ts): claimed before it is sent, so it is sent once. */
  alertMark: (alert: string, subject: string) => ({ pk: `ALERT#${alert}#${subject}`, sk: '#ALERT' }),
};

/** Write shards of the customers-by-last-response index (gsi2 on customer items): no single hot partition. */
export const LAST_RESPONSE_SHARDS = 8;

/** A customer in the customers-by-last-response index (gsi2), oldest first in each shard: win-back's selection. */
export function lastResponseIndex(customerId: string, lastResponseAt: string) {
  let hash = 0;
  for (const char of customerId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return { gsi2pk: lastResponsePartition(hash % LAST_RESPONSE_SHARDS), gsi2sk: `${lastResponseAt}#${customerId}` };
}

/** One shard's partition of the customers-by-last-response index (gsi2pk). */
export const lastResponsePartition = (shard: number) => `LASTRESPONSE#${shard}`;

/**
 * The sort-key range of one dimension's score days from one day to another, inclusive: every segment of those
 * days and nothing else. The upper bound ends in `$`, the character after `#`, so a segment of any characters
 * sorts below it (DynamoDB compares UTF-8 bytes: `\uffff` would sort below an emoji); dimension names hold no
 * character below `#` (ATTRIBUTE_NAME), so no other dimension falls inside.
 */
export const scoreDayRange = (surveyId: string, dimension: string, from: string, to: string) => ({
  pk: `SCORES#${surveyId}`,
  skFrom: `${dimension}#${from}#`,
  skTo: `${dimension}#${to}$`,
});

/** A response's place in its survey's listing (gsi1), newest last. */
export const surveyResponsesIndex = (surveyId: string, submittedAt: string, responseId: string) => ({
  gsi1pk: `SURVEY#${surveyId}`,
  gsi1sk: `${submittedAt}#${responseId}`,
});

/** A customer's birthday (gsi1): birthdays of a day without a scan. */
export const birthdayIndex = (birthday: string, customerId: string) => ({
  gsi1pk: birthdayPartition(birthday.slice(-5)),
  gsi1sk: customerId,
});

/** The birthdays of one day (gsi1pk), by `MM-DD`. */
export const birthdayPartition = (monthDay: string) => `BIRTHDAY#${monthDay}`;

/** A response in its customer's timeline (gsi2), newest last. */
export const timelineIndex = (customerId: string, submittedAt: string, responseId: string) => ({
  gsi2pk: `CUSTOMER#${customerId}`,
  gsi2sk: `${submittedAt}#${responseId}`,
});

export { npsClass, type NpsClass } from '#core/timeline.ts';

/** An identified NPS answer under its day and class (gsi3): the promoters or detractors of a day. */
export const npsDayIndex = (submittedAt: string, nps: number, customerId: string, responseId: string) => ({
  gsi3pk: `NPSDAY#${submittedAt.slice(0, 10)}#${npsClass(nps)}`,
  gsi3sk: `${customerId}#${responseId}`,
});

/** The one partition of the paused-runs index: few items (a run is in it only while paused), written on pause and resume. */
const PAUSED_RUNS_PARTITION = 'PAUSEDRUNS';

/** A paused run in the paused-runs index (gsi1), ordered by when it may resume (ISO instants sort as text). */
export const pausedRunIndex = (resumeAfterMs: number, campaignId: string, runId: string) => ({
  gsi1pk: PAUSED_RUNS_PARTITION,
  gsi1sk: `${new Date(resumeAfterMs).toISOString()}#${campaignId}#${runId}`,
});

/** The paused runs whose pause is over at `nowMs`: the index partition, and the highest sort key among them. */
export const pausedRunsDueBy = (nowMs: number) => ({
  gsi1pk: PAUSED_RUNS_PARTITION,
  gsi1skTo: `${new Date(nowMs).toISOString()}#\uffff`,
});

/** Strips keys and bookkeeping (a response's scoredSegments among it) from a stored item, leaving the public fields. */
export function publicFields<T extends Record<string, unknown>>(item: T): Omit<T, 'pk' | 'sk' | 'type' | 'ttl' | 'version'> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) {
    if (!/^(pk|sk|type|ttl|version|scoredSegments|scoredProfile|gsi\d(pk|sk))$/.test(name)) out[name] = value;
  }
  return out as Omit<T, 'pk' | 'sk' | 'type' | 'ttl' | 'version'>;
}

/** Write shards of the invitation due index (gsi3): a dispatcher reads each shard's due items. */
export const INVITATION_DUE_SHARDS = 16;

/** An invitation's index entries: newest first per survey (gsi1) and per customer (gsi2). */
export const invitationIndexes = (surveyId: string, customerId: string, createdAt: string, invitationId: string) => ({
  gsi1pk: surveyInvitationsPartition(surveyId),
  gsi1sk: `${createdAt}#${invitationId}`,
  gsi2pk: customerInvitationsPartition(customerId),
  gsi2sk: `${createdAt}#${invitationId}`,
});
export const surveyInvitationsPartition = (surveyId: string) => `SURVEYINVITES#${surveyId}`;
export const customerInvitationsPartition = (customerId: string) => `INVITATIONS#${customerId}`;

/** An invitation's place in the due index while an action is due at `dueAt` (ISO 8601). */
export function invitationDueIndex(invitationId: string, dueAt: string) {
  let hash = 0;
  for (const char of invitationId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return { gsi3pk: invitationDuePartition(hash % INVITATION_DUE_SHARDS), gsi3sk: `${dueAt}#${invitationId}` };
}
export const invitationDuePartition = (shard: number) => `INVITEDUE#${shard}`;

/** The attribute of the invite state that holds the customer's open invitation to a survey. */
export const openInvitationAttribute = (surveyId: string) => `open:${surveyId}`;

/** An event on its customer's timeline (gsi2), oldest first. */
export const customerEventsIndex = (customerId: string, occurredAt: string, eventId: string) => ({
  gsi2pk: customerEventsPartition(customerId),
  gsi2sk: `${occurredAt}#${eventId}`,
});
export const customerEventsPartition = (customerId: string) => `EVENTS#${customerId}`;

/** Every survey (gsi1), by id: the team's surveys are few, so one partition lists them all. */
export const surveyListIndex = (surveyId: string) => ({ gsi1pk: SURVEY_LIST_PARTITION, gsi1sk: surveyId });
export const SURVEY_LIST_PARTITION = 'SURVEYS';

/** Shards of the cadence index (gsi3 on customer items): each holds every cycle day's share, so a day is 16 reads. */
export const CADENCE_SHARDS = 16;

/** A cadence position as a sort key: 8 hex digits, so the key order is the number order. */
const positionKey = (position: number) => position.toString(16).padStart(8, '0');

/**
 * A customer in the cadence index (gsi3) by their cadence position (core/invitations/rules.ts `cadencePosition`):
 * a relationship survey reads one cycle day's customers as a sort-key range per shard. Set on every customer PUT.
 */
export const cadenceIndex = (customerId: string, position: number) => ({
  gsi3pk: cadencePartition(position % CADENCE_SHARDS),
  gsi3sk: `${positionKey(position)}#${customerId}`,
});
export const cadencePartition = (shard: number) => `CADENCE#${shard}`;

/** The sort-key bounds (for BETWEEN) of the customers whose positions lie in [from, to]. */
export const cadenceRange = (from: number, to: number) => ({ low: `${positionKey(from)}#`, high: `${positionKey(to)}#\uffff` });

/**
 * An email ledger entry on its customer's timeline (gsi2), by when it was (last) claimed: the timeline reads a
 * customer's emails newest first, a page at a time, however many years of them there are.
 */
export const customerEmailsIndex = (customerId: string, claimedAt: string, campaignId: string, period: string) => ({
  gsi2pk: customerEmailsPartition(customerId),
  gsi2sk: `${claimedAt}#${campaignId}#${period}`,
});
export const customerEmailsPartition = (customerId: string) => `EMAILS#${customerId}`;

/**
 * A customer under their email address (gsi4): `GET /v1/customers?email=` is one query. The partition is the address
 * item's own key (the SHA-256 of the normalised address), so no address appears in a key and the lookup matches
 * as the address's opt-out does (case and surrounding spaces do not count). Set on every customer write.
 */
export const customerAddressIndex = (email: string, customerId: string) => ({
  gsi4pk: customerAddressPartition(email),
  gsi4sk: customerId,
});
export const customerAddressPartition = (email: string) => keys.address(email).pk;
/** A delivery in its webhook's deliveries (gsi1), newest last in key order (listed newest first). */
export const webhookDeliveriesIndex = (webhookId: string, createdAt: string, deliveryId: string) => ({
  gsi1pk: webhookDeliveriesPartition(webhookId),
  gsi1sk: `${createdAt}#${deliveryId}`,
});
export const webhookDeliveriesPartition = (webhookId: string) => `WEBHOOKDELIVERIES#${webhookId}`;

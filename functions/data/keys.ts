import { createHash } from 'node:crypto';
import { normaliseAddress } from '#core/mail/policy.ts';

/** The partition-key prefix of response items: the scorer's stream filter and its decoder select on it. */
export const RESPONSE_KEY_PREFIX = 'RESPONSE#';
const API_KEYS_PARTITION = 'APIKEYS';
const API_KEY_PREFIX = 'APIKEY#';
/** The sort-key prefix of a customer's email ledger entries. */
export const EMAIL_LEDGER_PREFIX = 'EMAIL#';

/**
 * The only place that knows key shapes. Every item has `pk`, `sk` and `type`; GSI keys are set only on the
 * items an index is for (sparse indexes).
 *
 * | item          | pk                     | sk                          | gsi1 (pk / sk)                   | gsi2 (pk / sk)                     | gsi3 (pk / sk)                     |
 * |---------------|------------------------|-----------------------------|----------------------------------|------------------------------------|------------------------------------|
 * | survey        | SURVEY#<surveyId>      | #SURVEY                     |                                  |                                    |                                    |
 * | customer      | CUSTOMER#<customerId>  | #CUSTOMER                   | BIRTHDAY#<MM-DD> / <customerId>  | LASTRESPONSE#<shard> / <at>#<cid>  |                                    |
 * | response      | RESPONSE#<responseId>  | #RESPONSE                   | SURVEY#<surveyId> / <at>#<rid>   | CUSTOMER#<customerId> / <at>#<rid> | NPSDAY#<date>#<class> / <cid>#<rid>|
 * | idempotency   | IDEMPOTENCY#<ns>#<key> | #IDEMPOTENCY                |                                  |                                    |                                    |
 * | score day     | SCORES#<surveyId>      | <dimension>#<day>#<segment> |                                  |                                    |                                    |
 * | segment values| SURVEY#<surveyId>      | #SEGMENTVALUES              |                                  |                                    |                                    |
 * | score claim   | SCORECLAIM#<eventID>   | #SCORECLAIM                 |                                  |                                    |                                    |
 * | email ledger  | CUSTOMER#<customerId>  | EMAIL#<campaignId>#<period> |                                  |                                    |                                    |
 * | mail state    | CUSTOMER#<customerId>  | #MAILSTATE                  |                                  |                                    |                                    |
 * | address       | ADDRESS#<sha256>       | #ADDRESS                    |                                  |                                    |                                    |
 * | campaign run  | CAMPAIGN#<campaignId>  | RUN#<runId>                 | PAUSEDRUNS / <until>#<cid>#<rid> |                                    |                                    |
 * | send rate     | SENDRATE               | #ACCOUNT                    |                                  |                                    |                                    |
 * | API key       | APIKEYS                | APIKEY#<keyId>              |                                  |                                    |                                    |
 *
 * Score days are the scorer's aggregates: one survey's in one partition, each dimension's days contiguous, so a
 * date range of one dimension is one key-range query that reads nothing else (before this layout the sort key was
 * `<day>#<dimension>#<segment>`: `npm run scores -- rebuild` moves such items). A score claim marks one stream
 * record as applied (TTL 48 h, beyond the stream's 24 h retention). Segment values are the channel and attribute
 * values anonymous answers have made segments of, per dimension (segment-values.ts). An address item is the
 * unit of contact every customer with that email address shares: opted out, suppressed, and its claim windows; its
 * key is the SHA-256 (hex) of the normalised address, so no address appears in a key. A campaign run is in the
 * paused-runs index (gsi1) only while paused, `<until>` being its resumeAfter: the resume sweep reads just the runs
 * that wait, due first. API keys share one partition (the team's few keys: listed with one Query, oldest first, as
 * their ids are time-ordered); each holds the SHA-256 of its secret, never the secret.
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
  /** The account's next free SES send slot, shared by every mailer (every run, schedule and email kind). */
  sendRate: () => ({ pk: 'SENDRATE', sk: '#ACCOUNT' }),
  /** An API key: its name, scopes and the hash of its secret. */
  apiKey: (keyId: string) => ({ pk: API_KEYS_PARTITION, sk: `${API_KEY_PREFIX}${keyId}` }),
  /** The partition of every API key (the listing reads it whole). */
  apiKeys: () => ({ pk: API_KEYS_PARTITION }),
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

export type NpsClass = 'promoter' | 'passive' | 'detractor';
export const npsClass = (nps: number): NpsClass => (nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor');

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
    if (!/^(pk|sk|type|ttl|version|scoredSegments|gsi\d(pk|sk))$/.test(name)) out[name] = value;
  }
  return out as Omit<T, 'pk' | 'sk' | 'type' | 'ttl' | 'version'>;
}

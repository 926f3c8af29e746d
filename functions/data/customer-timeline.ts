import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  encodeTimelineCursor,
  npsClassChanges,
  sortKeyBelow,
  timelineOrder,
  type ClassChange,
  type TimelineKind,
  type TimelinePosition,
} from '#core/timeline.ts';
import type { Db, Item } from './db.ts';
import { toEvent } from './events.ts';
import { toInvitation } from './invitations.ts';
import {
  customerEmailsPartition,
  customerEventsPartition,
  customerInvitationsPartition,
  keys,
  publicFields,
  timelineIndex,
} from './keys.ts';

/** One item of the timeline: when, what kind, and the item's own fields (without the customer's id). */
export type TimelineItem = { at: string; kind: TimelineKind; changed?: ClassChange } & Record<string, unknown>;

export interface TimelinePage {
  items: TimelineItem[];
  nextCursor?: string;
}

/** A source of the timeline: a gsi2 partition of the customer's items, sorted `<at>#<id>`. */
interface Source {
  kind: Exclude<TimelineKind, 'unsubscribe'>;
  partition: string;
  /** The item's instant and id, as its index sorts it. */
  position: (item: Item) => { at: string; id: string };
  view: (item: Item) => Record<string, unknown>;
}

const withoutCustomer = ({ customerId: _, ...rest }: Record<string, unknown>) => rest;

const sources = (customerId: string): Source[] => [
  {
    kind: 'response',
    partition: timelineIndex(customerId, '', '').gsi2pk,
    position: (i) => ({ at: String(i.submittedAt), id: String(i.responseId) }),
    view: (i) => withoutCustomer(publicFields(i)),
  },
  {
    kind: 'email',
    partition: customerEmailsPartition(customerId),
    position: (i) => ({ at: String(i.claimedAt), id: `${String(i.campaignId)}#${String(i.period)}` }),
    view: (i) => {
      const { runId: _, ...email } = withoutCustomer(publicFields(i));
      return email;
    },
  },
  {
    kind: 'invitation',
    partition: customerInvitationsPartition(customerId),
    position: (i) => ({ at: String(i.createdAt), id: String(i.invitationId) }),
    view: (i) => withoutCustomer({ ...toInvitation(i) }),
  },
  {
    kind: 'event',
    partition: customerEventsPartition(customerId),
    position: (i) => ({ at: String(i.occurredAt), id: String(i.eventId) }),
    view: (i) => {
      const { customerId: _, occurredAt: __, ...event } = toEvent(i); // the entry's `at` is when it occurred
      return event;
    },
  },
];

/** How far back the previous NPS answer of a page's oldest response is looked for: pages of this many responses… */
const PREVIOUS_NPS_PAGE = 100;
/** …at most this many (1,000 responses without an NPS answer in a row: `changed` is then left out). */
const PREVIOUS_NPS_PAGES = 10;

interface Candidate {
  position: TimelinePosition;
  item: TimelineItem;
  /** The stored response, for the NPS class changes. */
  nps?: number;
}

/**
 * A page of the customer's timeline, newest first, after `after` (a page's last position) if given; undefined when
 * there is no such customer. Each source is one query of at most `limit + 1` items below the cursor, so a page reads
 * at most `4 × (limit + 1)` items whatever the customer's history, plus the profile and their address; finding the
 * NPS answer before a page's oldest response may read on through older responses (bounded: PREVIOUS_NPS_PAGES).
 */
export async function readTimeline(
  db: Db,
  customerId: string,
  options: { limit: number; after?: TimelinePosition },
): Promise<TimelinePage | undefined> {
  const { limit, after } = options;
  const read = (source: Source) =>
    db.client.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: 'gsi2',
        KeyConditionExpression: after ? 'gsi2pk = :pk AND gsi2sk < :below' : 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': source.partition, ...(after ? { ':below': sortKeyBelow(after, source.kind) } : {}) },
        ScanIndexForward: false,
        Limit: limit + 1,
      }),
    );
  const all = sources(customerId);
  const [profile, ...pages] = await Promise.all([
    db.client.send(new GetCommand({ TableName: db.table, Key: keys.customer(customerId), ConsistentRead: true })),
    ...all.map(read),
  ]);
  if (!profile.Item) return undefined;

  const candidates: Candidate[] = [];
  all.forEach((source, s) => {
    for (const stored of pages[s]!.Items ?? []) {
      const { at, id } = source.position(stored);
      candidates.push({
        position: { at, kind: source.kind, id },
        item: { at, kind: source.kind, ...source.view(stored) },
        ...(source.kind === 'response' && typeof stored.nps === 'number' ? { nps: stored.nps } : {}),
      });
    }
  });
  for (const stop of await addressStops(db, profile.Item)) {
    if (!after || timelineOrder(stop.position, after) > 0) candidates.push(stop);
  }
  candidates.sort((a, b) => timelineOrder(a.position, b.position));

  const page = candidates.slice(0, limit);
  const more = candidates.length > limit || pages.some((p) => p.LastEvaluatedKey !== undefined);
  await markChanges(db, customerId, page, candidates, pages[0]!.LastEvaluatedKey !== undefined);
  const last = page.at(-1);
  return more && last
    ? { items: page.map((c) => c.item), nextCursor: encodeTimelineCursor(last.position) }
    : { items: page.map((c) => c.item) };
}

/**
 * The customer's unsubscribe and suppression (a bounce or complaint), as timeline items: they are facts of the
 * address, kept on the customer item or on their address's item (when another customer with it stopped it).
 */
async function addressStops(db: Db, customer: Item): Promise<Candidate[]> {
  const { Item: address } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.address(String(customer.email)), ConsistentRead: true }),
  );
  const fact = (name: string) => (customer[name] ?? address?.[name]) as string | undefined;
  const stops: Candidate[] = [];
  const unsubscribedAt = fact('unsubscribedAt');
  if (unsubscribedAt && (customer.unsubscribed === true || address?.unsubscribed === true)) {
    stops.push(stop(unsubscribedAt, 'unsubscribed', 'unsubscribed'));
  }
  const suppressedAt = fact('suppressedAt');
  if (suppressedAt && (customer.suppressed === true || address?.suppressed === true)) {
    stops.push(stop(suppressedAt, 'suppressed', fact('suppressedReason') ?? 'bounce'));
  }
  return stops;
}

const stop = (at: string, id: string, reason: string): Candidate => ({
  position: { at, kind: 'unsubscribe', id },
  item: { at, kind: 'unsubscribe', reason },
});

/**
 * Sets `changed` on the page's responses whose NPS class differs from the customer's previous NPS answer: the next
 * older response read (on this page or past it), else the first NPS answer older than all of them, read on demand.
 */
async function markChanges(db: Db, customerId: string, page: Candidate[], read: Candidate[], moreResponses: boolean) {
  const responses = read.filter((c) => c.position.kind === 'response');
  const onPage = new Set(page);
  const lastOnPage = responses.findLastIndex((r) => onPage.has(r) && r.nps !== undefined);
  if (lastOnPage < 0) return;
  // Its previous NPS answer was read with the page, or lies further back (only if there are older responses).
  const readBefore = responses.slice(lastOnPage + 1).some((r) => r.nps !== undefined);
  const olderNps = !readBefore && moreResponses ? await npsBefore(db, customerId, responses.at(-1)!.position) : undefined;
  const changes = npsClassChanges(responses, olderNps);
  responses.forEach((response, i) => {
    if (onPage.has(response) && changes[i]) response.item.changed = changes[i];
  });
}

/** The NPS answer of the customer's latest response with one before `position`, if any (within the bound). */
async function npsBefore(db: Db, customerId: string, position: TimelinePosition): Promise<number | undefined> {
  let start: Item | undefined;
  for (let pageRead = 0; pageRead < PREVIOUS_NPS_PAGES; pageRead++) {
    const { Items = [], LastEvaluatedKey } = await db.client.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :below',
        FilterExpression: 'attribute_exists(nps)',
        ProjectionExpression: 'nps',
        ExpressionAttributeValues: {
          ':pk': timelineIndex(customerId, '', '').gsi2pk,
          ':below': `${position.at}#${position.id}`,
        },
        ScanIndexForward: false,
        Limit: PREVIOUS_NPS_PAGE,
        ExclusiveStartKey: start,
      }),
    );
    if (Items.length) return Number(Items[0]!.nps);
    if (!LastEvaluatedKey) return undefined;
    start = LastEvaluatedKey;
  }
  return undefined;
}

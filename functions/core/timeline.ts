import { encodeCursor, decodeCursor } from './cursors.ts';
/**
 * The customer's timeline as pure data: the order of its items, the cursor that marks a place in it, and the NPS
 * class changes (contract, "Noticing": Timeline). Items come from several sources (responses, emails, invitations,
 * events, unsubscribes), each already sorted by its own index as `<at>#<id>`; the timeline merges them newest first.
 */

export const TIMELINE_KINDS = ['response', 'email', 'invitation', 'event', 'unsubscribe'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** An item's place in the timeline: newest first, then (at one instant) by kind, then by id, both descending. */
export interface TimelinePosition {
  at: string;
  kind: TimelineKind;
  /** The item's id within its kind: its source index sorts it as `<at>#<id>`. */
  id: string;
}

/** Ties at one instant go by a fixed order of kinds, so a page boundary falls at exactly one place. */
const KIND_RANK: Record<TimelineKind, number> = { unsubscribe: 5, response: 4, email: 3, invitation: 2, event: 1 };

/** Plain code-unit comparison: the ids and instants are ASCII, where it is DynamoDB's byte order too. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Negative when `a` comes first in the timeline (is newer), positive when it comes after. */
export function timelineOrder(a: TimelinePosition, b: TimelinePosition): number {
  return compareText(b.at, a.at) || KIND_RANK[b.kind] - KIND_RANK[a.kind] || compareText(b.id, a.id);
}

/**
 * The exclusive upper bound, on a source's `<at>#<id>` sort key, of its items that come after `cursor`: later kinds
 * at the cursor's instant are all after it (`<at>$`, `$` being the character after `#`), earlier kinds none of
 * them (`<at>#`), its own kind those with a lower id.
 */
export function sortKeyBelow(cursor: TimelinePosition, kind: TimelineKind): string {
  const rank = KIND_RANK[kind] - KIND_RANK[cursor.kind];
  return rank < 0 ? `${cursor.at}$` : rank > 0 ? `${cursor.at}#` : `${cursor.at}#${cursor.id}`;
}

/** A cursor is the last item's position, base64url JSON: opaque to clients. */
export const encodeTimelineCursor = (p: TimelinePosition): string => encodeCursor([p.at, p.kind, p.id]);

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const ID = /^[\x21-\x7e]{1,300}$/;

/** The position a cursor names, or undefined when it is not one this listing made. */
export function decodeTimelineCursor(cursor: string): TimelinePosition | undefined {
  const value = decodeCursor(cursor, 600);
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [at, kind, id] = value as unknown[];
  if (typeof at !== 'string' || !INSTANT.test(at)) return undefined;
  if (typeof kind !== 'string' || !(TIMELINE_KINDS as readonly string[]).includes(kind)) return undefined;
  if (typeof id !== 'string' || !ID.test(id)) return undefined;
  const position = { at, kind: kind as TimelineKind, id };
  return encodeTimelineCursor(position) === cursor ? position : undefined;
}

export type NpsClass = 'promoter' | 'passive' | 'detractor';
/** The contract's NPS classes: promoters answer 9–10, passives 7–8, detractors 0–6. */
export const npsClass = (nps: number): NpsClass => (nps >= 9 ? 'promoter' : nps >= 7 ? 'passive' : 'detractor');

export interface ClassChange {
  from: NpsClass;
  to: NpsClass;
}

/**
 * For each response (newest first), its NPS class change from the customer's previous NPS answer: the next older
 * response with an NPS answer in the list, else `olderNps` (the customer's NPS answer before the whole list, if
 * any). Undefined for a response without NPS, the customer's first NPS answer, and one in the same class as before.
 */
export function npsClassChanges(newestFirst: ReadonlyArray<{ nps?: number }>, olderNps?: number): Array<ClassChange | undefined> {
  const changes = newestFirst.map((): ClassChange | undefined => undefined);
  let previous = olderNps === undefined ? undefined : npsClass(olderNps);
  for (let i = newestFirst.length - 1; i >= 0; i--) {
    const nps = newestFirst[i]!.nps;
    if (nps === undefined) continue;
    const current = npsClass(nps);
    if (previous !== undefined && previous !== current) changes[i] = { from: previous, to: current };
    previous = current;
  }
  return changes;
}

import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { stableId } from '#core/ids.ts';
import { cadenceRanges, cycleDayOf, cycleStart } from '#core/invitations/rules.ts';
import { isConditionFailure, type Db, type Item } from './db.ts';
import { customerFacts, inParallel, invitationProblem, type ContactSettings } from './invitation-scheduling.ts';
import { readInviteStates, recordSkippedInvitation, scheduleInvitations, type NewInvitation } from './invitations.ts';
import { CADENCE_SHARDS, cadencePartition, cadenceRange, keys } from './keys.ts';
import { listSurveysCached, type Survey } from './surveys.ts';

/**
 * The relationship cadence: every mailable customer invited once per cycle of `everyDays`, each on their fixed day
 * of it (core/invitations/rules.ts `cadenceDay`). A day's customers are sort-key ranges of the cadence index (gsi3
 * on customer items), read shard by shard, a page at a time: nothing is scanned. Each survey's progress is one item
 * (the day being scheduled, the shard, the range, the last key read), moved on with a version condition, so
 * concurrent ticks share the work and a tick stopped by its deadline is continued by the next one.
 *
 * At most one invitation per customer, survey and cycle: its id is derived from the three and written only if new,
 * so a page read twice (a crash before the progress was saved, two ticks at once) schedules nobody twice, even after
 * the first invitation was answered and closed. Skips (throttle, recontact, an open invitation) are recorded under the
 * same id; customers who cannot be mailed (unsubscribed, suppressed) are not part of the cadence and leave no record.
 */

const DAY_MS = 86_400_000;
/** Customers read per page: each is a consistent BatchGet of invite states and one transaction per invitation. */
const PAGE_SIZE = 100;
const CONCURRENCY = 8;

/** A survey's place in its cadence. */
interface CadenceRun {
  /** The day (YYYY-MM-DD, UTC) being scheduled; later than today once today is done. */
  day: string;
  everyDays: number;
  shard: number;
  /** Which of the day's position ranges (one, or two where the survey's turn wraps). */
  range: number;
  /** Where the last read stopped in this shard and range. */
  after?: Item;
  version: number;
}

export interface CadenceOutcome {
  scheduled: number;
  skipped: number;
  /** False when the deadline stopped it: the next tick continues. */
  finished: boolean;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Schedules the cadence invitations due up to the day of `nowMs` (UTC) for every survey with `everyDays`, until the
 * work is done or the wall clock passes `deadlineMs`. A survey's first day is the day it is first seen with a cadence
 * (no burst for the days of the cycle already gone); days missed while nothing ran are caught up within the cycle.
 */
export async function scheduleCadence(db: Db, deps: ContactSettings, nowMs: number, deadlineMs: number): Promise<CadenceOutcome> {
  const outcome: CadenceOutcome = { scheduled: 0, skipped: 0, finished: true };
  const surveys = (await listSurveysCached(db)).filter((s) => (s.invite?.everyDays ?? 0) > 0);
  for (const survey of surveys) {
    if (!(await scheduleSurveyCadence(db, survey, deps, nowMs, deadlineMs, outcome))) {
      outcome.finished = false;
      break;
    }
  }
  return outcome;
}

/** Works through one survey's days up to today; false when the deadline came first. */
async function scheduleSurveyCadence(
  db: Db,
  survey: Survey,
  settings: ContactSettings,
  nowMs: number,
  deadlineMs: number,
  outcome: CadenceOutcome,
): Promise<boolean> {
  const everyDays = survey.invite!.everyDays;
  const today = isoDay(nowMs);
  let run = await readRun(db, survey.surveyId, everyDays, nowMs);
  while (run.day <= today) {
    if (Date.now() >= deadlineMs) return false;
    const dayMs = Date.parse(`${run.day}T00:00:00.000Z`);
    const ranges = cadenceRanges(survey.surveyId, everyDays, cycleDayOf(dayMs, everyDays));
    let next: Omit<CadenceRun, 'version'>;
    let read = 0;
    if (run.range >= ranges.length) next = nextRange(run, ranges.length);
    else {
      const [from, to] = ranges[run.range]!;
      const bounds = cadenceRange(from, to);
      const page = await db.client.send(
        new QueryCommand({
          TableName: db.table,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :low AND :high',
          ExpressionAttributeValues: { ':pk': cadencePartition(run.shard), ':low': bounds.low, ':high': bounds.high },
          Limit: PAGE_SIZE,
          ExclusiveStartKey: run.after,
        }),
      );
      read = page.Items?.length ?? 0;
      const counts = await inviteDay(db, survey, page.Items ?? [], { dayMs, nowMs, settings });
      outcome.scheduled += counts.scheduled;
      outcome.skipped += counts.skipped;
      next = page.LastEvaluatedKey ? { ...run, after: page.LastEvaluatedKey } : nextRange(run, ranges.length);
    }
    // Past an empty range the run moves on in memory: reading it again costs one query, so only work and days are
    // saved. A lost condition: another tick moved on meanwhile; continue from where it got to.
    if (read === 0 && next.day === run.day) run = { ...next, version: run.version };
    else run = (await saveRun(db, survey.surveyId, run, next)) ?? (await readRun(db, survey.surveyId, everyDays, nowMs));
  }
  return true;
}

/** Where a run goes once a range is read to its end: the next range, else the next shard, else the next day. */
function nextRange(run: CadenceRun, ranges: number): Omit<CadenceRun, 'version'> {
  const { day, everyDays, shard, range } = run;
  if (range + 1 < ranges) return { day, everyDays, shard, range: range + 1 };
  if (shard + 1 < CADENCE_SHARDS) return { day, everyDays, shard: shard + 1, range: 0 };
  return { day: isoDay(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS), everyDays, shard: 0, range: 0 };
}

/** Invites one page of a day's customers: the cadence invitation of this cycle, under the contact rules. */
async function inviteDay(
  db: Db,
  survey: Survey,
  customers: Item[],
  at: { dayMs: number; nowMs: number; settings: ContactSettings },
): Promise<{ scheduled: number; skipped: number }> {
  const counts = { scheduled: 0, skipped: 0 };
  const ids = customers.map((c) => String(c.customerId));
  const states = await readInviteStates(db, ids);
  const cycle = new Date(cycleStart(at.dayMs, survey.invite!.everyDays)).toISOString().slice(0, 10);
  const sendAtMs = Math.max(at.dayMs, at.nowMs);
  const now = new Date(at.nowMs).toISOString();

  const inviteOne = async (item: Item) => {
    const customerId = String(item.customerId);
    const customer = customerFacts(item);
    if (customer?.unsubscribed || customer?.suppressed) return;
    const invitation: NewInvitation = {
      invitationId: cadenceInvitationId(survey.surveyId, cycle, customerId),
      surveyId: survey.surveyId,
      customerId,
      trigger: 'cadence',
      sendAt: new Date(sendAtMs).toISOString(),
    };
    let state = states.get(customerId);
    for (let attempt = 1; attempt <= 3; attempt++) {
      if (state?.open[survey.surveyId] === invitation.invitationId) return; // this cycle's, already scheduled
      const problem = await invitationProblem(db, survey, customerId, { customer, state }, sendAtMs, at.settings);
      if (problem) {
        if (await recordSkippedInvitation(db, invitation, problem, now)) counts.skipped++;
        return;
      }
      if (await scheduleInvitations(db, customerId, [invitation], { now, throttleDays: at.settings.throttleDays })) {
        counts.scheduled++;
        return;
      }
      // Lost: this cycle's invitation exists already (another tick), or another invitation landed. Look again.
      if (await invitationExists(db, invitation.invitationId)) return;
      state = (await readInviteStates(db, [customerId])).get(customerId);
    }
    throw new Error(`Invite state of ${customerId} kept changing while scheduling the cadence.`);
  };
  await inParallel(customers, CONCURRENCY, inviteOne);
  return counts;
}

/** The one cadence invitation of a customer, survey and cycle (the cycle's first day). */
export const cadenceInvitationId = (surveyId: string, cycle: string, customerId: string) =>
  stableId('cadence', surveyId, cycle, customerId);

async function invitationExists(db: Db, invitationId: string): Promise<boolean> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.invitation(invitationId), ConsistentRead: true, ProjectionExpression: 'pk' }),
  );
  return Item !== undefined;
}

/**
 * A survey's run as stored; a fresh one (version 0) starting today when there is none, when its cycle length
 * changed, or when it stopped before the current cycle (a cadence turned off and on again starts afresh).
 */
async function readRun(db: Db, surveyId: string, everyDays: number, nowMs: number): Promise<CadenceRun> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.cadenceRun(surveyId), ConsistentRead: true }),
  );
  const version = typeof Item?.version === 'number' ? Item.version : 0;
  const stale = !Item || Item.everyDays !== everyDays || String(Item.day) < isoDay(cycleStart(nowMs, everyDays));
  if (stale) return { day: isoDay(nowMs), everyDays, shard: 0, range: 0, version };
  return {
    day: String(Item.day),
    everyDays,
    shard: Number(Item.shard),
    range: Number(Item.range),
    ...(Item.after ? { after: Item.after as Item } : {}),
    version,
  };
}

/** Moves a run on if nobody else did: the saved run, or undefined when another tick got there first. */
async function saveRun(
  db: Db,
  surveyId: string,
  current: CadenceRun,
  next: Omit<CadenceRun, 'version'>,
): Promise<CadenceRun | undefined> {
  const saved: CadenceRun = { ...next, version: current.version + 1 };
  try {
    await db.client.send(
      new PutCommand({
        TableName: db.table,
        Item: { ...keys.cadenceRun(surveyId), type: 'cadenceRun', surveyId, ...saved },
        ConditionExpression: current.version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
        ...(current.version === 0 ? {} : { ExpressionAttributeValues: { ':version': current.version } }),
      }),
    );
    return saved;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

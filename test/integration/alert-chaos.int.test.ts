import { describe, expect, it } from 'vitest';
import type { DynamoDBRecord } from 'aws-lambda';
import { alertsDetractor, readResponse, responseEvents } from '../../functions/core/alerts/notices.ts';
import { newId } from '../../functions/core/ids.ts';
import { claimAlert, markAlertSent } from '../../functions/data/alert-marks.ts';
import { keys } from '../../functions/data/keys.ts';
import { notifyBatch, type NotifierPorts } from '../../functions/notify-team/notify-batch.ts';
import { tableFromEnv } from '../../functions/runtime/wiring.ts';
import { quietLog, recordingOutbox, responseItem, streamRecord } from '../support/notifier.ts';

/**
 * The notifier's chaos suite: responses created, edited and deleted, delivered the way an at-least-once event source
 * mapping delivers them (partial retries, whole-batch retries, bisection, replays of batches already done), with a
 * fault injected between any two steps (a read, the event's publication, the claim, the send, the mark), on either
 * side of a write that lands. At the end each detractor was told exactly once, and every event published is one
 * that happened, each once by id.
 */

const db = tableFromEnv();
const RESPONSES = 150;

function seeded(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const rng = seeded(Number(process.env.CHAOS_SEED ?? 20261128));
const chance = (p: number) => rng() < p;
const int = (low: number, high: number) => low + Math.floor(rng() * (high - low + 1));

type Item = Record<string, unknown>;

/** Each response's writes in order, interleaved across responses as a shard carries them. */
function generateStream(): { records: DynamoDBRecord[]; histories: Map<string, Array<[Item | undefined, Item | undefined]>> } {
  const histories = new Map<string, Array<[Item | undefined, Item | undefined]>>();
  const queues: Array<Array<[Item | undefined, Item | undefined]>> = [];
  for (let i = 0; i < RESPONSES; i++) {
    const responseId = newId();
    const steps: Array<[Item | undefined, Item | undefined]> = [];
    let current: Item | undefined;
    for (let version = 1, writes = int(1, 4); version <= writes; version++) {
      const answers: Item = chance(0.85) ? { nps: int(0, 10) } : { csat: int(1, 5) };
      if (chance(0.5)) answers.comment = `comment ${version}`;
      const next: Item | undefined = version > 1 && chance(0.1) ? undefined : responseItem(responseId, { ...answers, version });
      steps.push([current, next]);
      current = next;
      if (!current) break;
    }
    histories.set(responseId, steps);
    queues.push([...steps]);
  }
  const records: DynamoDBRecord[] = [];
  while (queues.some((q) => q.length)) {
    const open = queues.filter((q) => q.length);
    const [before, after] = open[int(0, open.length - 1)]!.shift()!;
    const key = keys.response(String((after ?? before)!.responseId));
    records.push(streamRecord(key, before, after));
  }
  return { records, histories };
}

class Crash extends Error {}

/** The real marks on DynamoDB Local and recording fakes, each step failing now and then, before or after it lands. */
function chaoticPorts(outbox: ReturnType<typeof recordingOutbox>): NotifierPorts {
  const fault = (p: number) => {
    if (chance(p)) throw new Crash('injected');
  };
  const step =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>, before: number, after: number) =>
    async (...args: A): Promise<R> => {
      fault(before);
      const result = await fn(...args);
      fault(after); // it landed, and the answer was lost
      return result;
    };
  const now = () => new Date().toISOString();
  return {
    publish: step(outbox.publish, 0.03, 0.03),
    readSurvey: step(async () => ({ name: 'Chaos' }), 0.03, 0),
    readCustomer: step(async () => ({ name: 'Customer' }), 0.03, 0),
    claimAlert: step(
      (responseId: string, claimant: string) => claimAlert(db, { alert: 'detractor', subject: responseId }, claimant, now()),
      0.05,
      0.05,
    ),
    // A send that fails is one the mail service refused: it did not go out (a send that went out and reported
    // failure is the one case a retry repeats: see alert-marks.ts).
    sendTeamMessage: step(outbox.sendTeamMessage, 0.08, 0),
    markAlertSent: step(
      (responseId: string, claimant: string) => markAlertSent(db, { alert: 'detractor', subject: responseId }, claimant, now()),
      0.05,
      0.05,
    ),
    publicBaseUrl: () => 'https://feedback.example',
    sleep: async () => undefined,
    log: quietLog,
  };
}

/** Lambda's event source mapping at its worst: every way it may deliver a batch again. Returns the invocations. */
async function deliver(records: readonly DynamoDBRecord[], ports: NotifierPorts): Promise<number> {
  let invocations = 0;
  /** One batch until it is through: the failed record and what follows, the whole batch again, or each half. */
  const untilDone = async (batch: readonly DynamoDBRecord[]): Promise<void> => {
    let pending = batch;
    while (pending.length) {
      invocations++;
      const { batchItemFailures } = await notifyBatch(pending, ports);
      if (!batchItemFailures.length) return;
      const failedAt = pending.findIndex((r) => r.dynamodb!.SequenceNumber === batchItemFailures[0]!.itemIdentifier);
      const how = rng();
      if (how < 0.3) continue; // the whole batch again (a function error, a timeout)
      if (how < 0.6 && pending.length > 1) {
        const half = Math.ceil(pending.length / 2); // bisection: each half on its own
        await untilDone(pending.slice(0, half));
        pending = pending.slice(half);
        continue;
      }
      pending = pending.slice(failedAt); // the partial batch response: the failed record and what follows
    }
  };
  for (let position = 0; position < records.length;) {
    const batch = records.slice(position, position + int(1, 25));
    await untilDone(batch);
    if (chance(0.15)) await untilDone(batch); // a batch done already, delivered again
    position += batch.length;
  }
  return invocations;
}

describe('the notifier under chaos', () => {
  it('tells each detractor once and publishes each event that happened, once by id, whatever fails and comes back', async () => {
    const { records, histories } = generateStream();
    const outbox = recordingOutbox();
    const invocations = await deliver(records, chaoticPorts(outbox));

    const expectedAlerts = new Set<string>();
    const expectedEvents = new Set<string>();
    for (const [responseId, steps] of histories) {
      for (const [before, after] of steps) {
        const [b, a] = [readResponse(before), readResponse(after)];
        for (const event of responseEvents(b, a)) expectedEvents.add(event.id);
        if (alertsDetractor(b, a)) expectedAlerts.add(responseId);
      }
    }
    for (const id of expectedAlerts) expectedEvents.add(`alert.detractor:${id}`);

    expect(expectedAlerts.size).toBeGreaterThan(30);
    expect(invocations).toBeGreaterThan(records.length / 25);
    const told = new Map<string, number>();
    for (const message of outbox.messages) {
      const responseId = /Response: (\S+)/.exec(message.body)![1]!;
      told.set(responseId, (told.get(responseId) ?? 0) + 1);
    }
    expect([...told.keys()].sort()).toEqual([...expectedAlerts].sort());
    expect([...told.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(outbox.events().map((e) => e.id))).toEqual(expectedEvents);
    // Replays published events again (idempotent by id), so deliveries were really repeated.
    expect(outbox.published.length).toBeGreaterThan(expectedEvents.size);
  }, 120_000);
});

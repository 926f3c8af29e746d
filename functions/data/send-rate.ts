import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SendRate } from '#core/mail/ports.ts';
import { isConditionFailure, type Db } from './db.ts';
import { keys } from './keys.ts';
import { systemClock, type Clock } from './mailer.ts';

/**
 * The account's send rate across every invocation: one item holds the next free send slot (epoch ms), and a caller
 * reserves `slotsPerTrip` consecutive slots with one conditional update, then hands them out locally. Slots never
 * overlap, so the sends of all runs together stay under `perSecond`; a slot reserved and not used is lost, which
 * only slows sending: one round trip per `slotsPerTrip` sends.
 */
export function dynamoSendRate(
  db: Db,
  perSecond: number,
  {
    slotsPerTrip = Math.max(1, Math.min(10, Math.floor(perSecond / 2))),
    clock = systemClock,
  }: { slotsPerTrip?: number; clock?: Clock } = {},
): SendRate {
  const interval = 1000 / perSecond;
  const span = interval * slotsPerTrip;
  const slots: number[] = [];
  let reserving: Promise<void> | undefined;

  /** Busy: the next slot is ahead of now, so the block starts there. Undefined when the rate is idle. */
  async function busy(now: number): Promise<number | undefined> {
    try {
      const { Attributes } = await db.client.send(
        new UpdateCommand({
          TableName: db.table,
          Key: keys.sendRate(),
          UpdateExpression: 'SET nextSlot = nextSlot + :span',
          ConditionExpression: 'nextSlot >= :now',
          ExpressionAttributeValues: { ':span': span, ':now': now },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return (Attributes!.nextSlot as number) - span;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Idle: nobody sent lately, so the block starts now. Undefined when the rate is busy. */
  async function idle(now: number): Promise<number | undefined> {
    try {
      await db.client.send(
        new UpdateCommand({
          TableName: db.table,
          Key: keys.sendRate(),
          UpdateExpression: 'SET nextSlot = :next, #type = :type',
          ConditionExpression: 'attribute_not_exists(nextSlot) OR nextSlot < :now',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':next': now + span, ':now': now, ':type': 'sendRate' },
        }),
      );
      return now;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Moves the shared next slot on by `span`; returns the first reserved slot. The case the last reservation found is
   * tried first: sending at the rate it is busy, slower than the rate idle, and either way one round trip, not two.
   */
  let wasIdle = false;
  async function reserve(): Promise<number> {
    for (;;) {
      for (const attempt of wasIdle ? [idle, busy] : [busy, idle]) {
        const slot = await attempt(clock.now());
        if (slot !== undefined) {
          wasIdle = attempt === idle;
          return slot;
        }
      }
      // Another caller moved it in between, from one case to the other: again.
    }
  }

  const take: SendRate = async ({ deadlineMs = Infinity } = {}) => {
    while (!slots.length) {
      // One reservation at a time per instance: concurrent senders share its block.
      reserving ??= reserve()
        .then((first) => {
          // A block that comes back already past (its round trip outlasted its span: a high rate, a loaded table)
          // starts at its arrival, spaced as reserved. Dropped as stale, it would be reserved again, and again, and
          // nothing sent. Starting late, it may overlap the next block by the reservation's duration at most.
          const start = Math.max(first, clock.now());
          slots.push(...Array.from({ length: slotsPerTrip }, (_, i) => start + i * interval));
        })
        .finally(() => (reserving = undefined));
      await reserving;
    }
    const slot = slots.shift()!;
    // A slot left unused past its instant (its sender paused) is dropped: using it late would crowd another caller's.
    if (slot < clock.now() - interval) return take({ deadlineMs });
    if (Math.max(slot, clock.now()) > deadlineMs) return false;
    const wait = slot - clock.now();
    if (wait > 0) await clock.sleep(wait);
    return true;
  };
  return take;
}

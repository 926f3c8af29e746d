/**
 * "Drained": a waiter registered at time t is released by the first polling pass that started at or after t, as
 * that pass read every shard to its end, so every record written before t has been handed over (or given up on).
 */
export function idleSignal(now: () => number = Date.now) {
  let waiters: Array<{ since: number; resolve: () => void }> = [];
  return {
    wait: () => new Promise<void>((resolve) => waiters.push({ since: now(), resolve })),
    /** A pass that started at `startedAt` read every shard to its end. */
    passCompleted(startedAt: number) {
      waiters = waiters.filter((w) => (w.since <= startedAt ? (w.resolve(), false) : true));
    },
    releaseAll() {
      for (const w of waiters) w.resolve();
    },
  };
}

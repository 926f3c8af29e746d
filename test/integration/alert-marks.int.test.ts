import { describe, expect, it } from 'vitest';
import { claimAlert, markAlertSent } from '../../functions/data/alert-marks.ts';
import { keys } from '../../functions/data/keys.ts';
import { tableFromEnv } from '../../functions/runtime/wiring.ts';
import { itemsInPartition } from '../support/api.ts';
import { uniqueId } from '../support/factories.ts';

const db = tableFromEnv();
const T0 = '2026-11-28T10:00:00.000Z';
const T1 = '2026-11-28T10:10:00.000Z';

describe('alert marks on DynamoDB', () => {
  it('let one claimant send: the same claimant again resumes, another is held, and nobody after it is sent', async () => {
    const ref = { alert: 'detractor' as const, subject: uniqueId('r') };
    expect(await claimAlert(db, ref, 'event-a', T0)).toBe('claimed');
    expect(await claimAlert(db, ref, 'event-a', T0)).toBe('claimed'); // a retry after a crash before the send
    expect(await claimAlert(db, ref, 'event-b', T0)).toBe('held');
    await markAlertSent(db, ref, 'event-b', T1); // not the holder: changes nothing
    expect(await claimAlert(db, ref, 'event-a', T1)).toBe('claimed');
    await markAlertSent(db, ref, 'event-a', T1);
    expect(await claimAlert(db, ref, 'event-a', T1)).toBe('sent');
    expect(await claimAlert(db, ref, 'event-b', T1)).toBe('sent');
    const [mark] = await itemsInPartition(keys.alertMark(ref.alert, ref.subject).pk);
    expect(mark).toMatchObject({ type: 'alertMark', status: 'sent', claimedBy: 'event-a', claimedAt: T0, sentAt: T1 });
  });

  it('hand a claim its holder left unfinished to exactly one later claimant, once it is stale', async () => {
    const ref = { alert: 'score_drop' as const, subject: `${uniqueId('s')}:nps:2026-W47` };
    expect(await claimAlert(db, ref, 'run-1', T0)).toBe('claimed');
    expect(await claimAlert(db, ref, 'run-2', T1, { staleBefore: T0 })).toBe('held'); // not older than the cutoff
    const takers = await Promise.all(['run-3', 'run-4', 'run-5'].map((run) => claimAlert(db, ref, run, T1, { staleBefore: T1 })));
    expect(takers.filter((t) => t === 'claimed')).toHaveLength(1);
    expect(takers.filter((t) => t === 'held')).toHaveLength(2);
  });
});

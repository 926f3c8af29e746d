import { describe, expect, it } from 'vitest';
import { keys } from '../../functions/data/keys.ts';
import { notifyBatch, type NotifierPorts } from '../../functions/notify-team/notify-batch.ts';
import { memoryMarks, quietLog, recordingOutbox, responseItem, streamRecord } from '../support/notifier.ts';

const RID = '01JDQ0000000000000000000AB';

function given(overrides: Partial<NotifierPorts> = {}) {
  const outbox = recordingOutbox();
  const marks = memoryMarks();
  const ports: NotifierPorts = {
    publish: outbox.publish,
    sendTeamMessage: outbox.sendTeamMessage,
    readSurvey: async () => ({ name: 'After purchase' }),
    readCustomer: async () => ({ name: 'Ayşe' }),
    claimAlert: marks.claimAlert,
    markAlertSent: marks.markAlertSent,
    publicBaseUrl: () => 'https://feedback.example',
    log: quietLog,
    ...overrides,
  };
  return { outbox, marks, ports };
}

const response = (fields: Record<string, unknown>) => responseItem(RID, fields);
const change = (before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined) =>
  streamRecord(keys.response(RID), before && response(before), after && response(after));

describe('the notifier', () => {
  it('publishes response.created and alerts the team once for a new detractor', async () => {
    const { outbox, ports } = given();
    expect(await notifyBatch([change(undefined, { nps: 3, comment: 'Too slow.' })], ports)).toEqual({ batchItemFailures: [] });
    expect(outbox.events().map((e) => e.type)).toEqual(['response.created', 'alert.detractor']);
    expect(outbox.messages).toHaveLength(1);
    expect(outbox.messages[0]!.body).toContain('Comment: Too slow.');
    expect(outbox.messages[0]!.body).toContain('https://feedback.example/dashboard?customer=c-1');
  });

  it('alerts on an edit 9 → 3, not on 3 → 2 after it, nor on a later return to a detractor', async () => {
    const { outbox, ports } = given();
    await notifyBatch(
      [
        change(undefined, { nps: 9 }),
        change({ nps: 9 }, { nps: 3, version: 2 }),
        change({ nps: 3, version: 2 }, { nps: 2, version: 3 }),
        change({ nps: 2, version: 3 }, { nps: 10, version: 4 }),
        change({ nps: 10, version: 4 }, { nps: 1, version: 5 }),
      ],
      ports,
    );
    expect(outbox.messages).toHaveLength(1);
    expect(outbox.messages[0]!.subject).toBe('Detractor alert: Ayşe rated After purchase 3/10');
    expect(outbox.events().map((e) => e.id)).toEqual([
      `response.created:${RID}`,
      `response.updated:${RID}:2`,
      `alert.detractor:${RID}`,
      `response.updated:${RID}:3`,
      `response.updated:${RID}:4`,
      `response.updated:${RID}:5`,
    ]);
  });

  it('publishes invitation.answered when an invitation moves to answered', async () => {
    const { outbox, ports } = given();
    const invitation = { ...keys.invitation('inv-1'), invitationId: 'inv-1', surveyId: 's-1', customerId: 'c-1' };
    await notifyBatch(
      [
        streamRecord(
          keys.invitation('inv-1'),
          { ...invitation, status: 'sent' },
          { ...invitation, status: 'answered', answeredAt: 'x' },
        ),
      ],
      ports,
    );
    expect(outbox.events().map((e) => e.id)).toEqual(['invitation.answered:inv-1']);
  });

  it('ignores other items (surveys, aggregates, marks)', async () => {
    const { outbox, ports } = given();
    await notifyBatch([streamRecord(keys.survey('s-1'), undefined, { ...keys.survey('s-1'), name: 'x' })], ports);
    expect(outbox.published).toEqual([]);
  });

  it('stops at the first record that fails, reports it, and sends nothing twice when the rest comes back', async () => {
    let failSend = true;
    const { outbox, ports } = given();
    const flaky = {
      ...ports,
      sendTeamMessage: async (message: Parameters<NonNullable<NotifierPorts['sendTeamMessage']>>[0]) => {
        if (failSend) throw new Error('SES is down');
        await outbox.sendTeamMessage(message);
      },
    };
    const first = change(undefined, { nps: 0 });
    const second = streamRecord(
      keys.response('01JDQ0000000000000000000CD'),
      undefined,
      responseItem('01JDQ0000000000000000000CD', { nps: 1 }),
    );
    const result = await notifyBatch([first, second], flaky);
    // The claim was taken, the send failed: the record comes back, and its retry (the same eventID) sends.
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: first.dynamodb!.SequenceNumber }] });
    expect(outbox.messages).toHaveLength(0);
    failSend = false;
    for (let replay = 0; replay < 5; replay++)
      expect(await notifyBatch([first, second], flaky)).toEqual({ batchItemFailures: [] });
    expect(outbox.messages).toHaveLength(2);
    expect(outbox.events().filter((e) => e.type === 'alert.detractor')).toHaveLength(2);
  });

  it('retries the sent mark, so a replay of the record does not send again', async () => {
    const marks = memoryMarks();
    let failures = 3;
    const { outbox, ports } = given({
      claimAlert: marks.claimAlert,
      markAlertSent: async (responseId, claimant) => {
        if (failures-- > 0) throw new Error('table unavailable');
        await marks.markAlertSent(responseId, claimant);
      },
      sleep: async () => undefined,
    });
    const record = change(undefined, { nps: 4 });
    expect(await notifyBatch([record], ports)).toEqual({ batchItemFailures: [] });
    expect(await notifyBatch([record], ports)).toEqual({ batchItemFailures: [] });
    expect(outbox.messages).toHaveLength(1);
  });

  it('does not fail the record (and resend) when the sent mark cannot be written at all', async () => {
    const errors: string[] = [];
    const { outbox, ports } = given({
      markAlertSent: async () => {
        throw new Error('table unavailable');
      },
      sleep: async () => undefined,
      log: { info: () => undefined, error: (message) => void errors.push(message) },
    });
    expect(await notifyBatch([change(undefined, { nps: 4 })], ports)).toEqual({ batchItemFailures: [] });
    expect(outbox.messages).toHaveLength(1);
    expect(errors).toEqual(['AlertMarkNotWritten']);
  });

  it('a duplicate record of another delivery (another eventID for a claimed alert) sends nothing', async () => {
    const { outbox, ports } = given();
    await notifyBatch([change(undefined, { nps: 5 })], ports);
    await notifyBatch([change(undefined, { nps: 5 })], ports);
    expect(outbox.messages).toHaveLength(1);
  });

  it('without anyone to tell, still publishes the alert event', async () => {
    const { outbox, ports } = given({ sendTeamMessage: undefined });
    await notifyBatch([change(undefined, { nps: 5 })], ports);
    expect(outbox.events().map((e) => e.type)).toContain('alert.detractor');
  });
});

import { describe, expect, it } from 'vitest';
import {
  InvalidInvitationImage,
  invitationContributions,
  readInvitationImage,
} from '../../functions/core/invitations/response-rate.ts';
import { invitationRateOf, scoreReport } from '../../functions/core/scores.ts';

const invitation = (fields: Record<string, unknown>) => ({
  type: 'invitation',
  invitationId: 'i-1',
  surveyId: 's-1',
  customerId: 'c-1',
  status: 'scheduled',
  sendAt: '2026-11-20T09:00:00Z',
  ...fields,
});
const scheduled = invitation({});
const sent = invitation({ status: 'sent', sentAt: '2026-11-20T23:59:00Z' });
const reminded = invitation({ status: 'sent', sentAt: '2026-11-20T23:59:00Z', remindedAt: '2026-11-23T10:00:00Z' });
const answered = invitation({ status: 'answered', sentAt: '2026-11-20T23:59:00Z', answeredAt: '2026-11-22T08:00:00Z' });
const expired = invitation({ status: 'expired', sentAt: '2026-11-20T23:59:00Z' });

/** The counts a change moves, per bucket: `day/dimension/segment → counts`. */
function moved(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined) {
  const contributions = invitationContributions(before && readInvitationImage(before), after && readInvitationImage(after));
  return Object.fromEntries(
    [...contributions.values()].map(({ key, counts }) => [`${key.day}/${key.dimension}/${key.segment}`, counts]),
  );
}

describe('invitations in the scores', () => {
  it('count an invitation once sent, on the all aggregate of the day it was sent (UTC)', () => {
    expect(readInvitationImage(scheduled)).toBeUndefined();
    expect(readInvitationImage(sent)).toEqual({ surveyId: 's-1', day: '2026-11-20', answered: false });
    expect(readInvitationImage(answered)).toEqual({ surveyId: 's-1', day: '2026-11-20', answered: true });
  });

  it('move the counters by the status change, netted: sent, answered, and nothing for reminders or expiry', () => {
    expect(moved(undefined, scheduled)).toEqual({});
    expect(moved(scheduled, sent)).toEqual({ '2026-11-20/all/*': { invitationsSent: 1 } });
    expect(moved(sent, reminded)).toEqual({});
    expect(moved(reminded, answered)).toEqual({ '2026-11-20/all/*': { invitationsAnswered: 1 } });
    expect(moved(answered, answered)).toEqual({});
    expect(moved(sent, expired)).toEqual({});
    // An invitation written sent and answered at once, or removed: both counters.
    expect(moved(undefined, answered)).toEqual({ '2026-11-20/all/*': { invitationsSent: 1, invitationsAnswered: 1 } });
    expect(moved(answered, undefined)).toEqual({ '2026-11-20/all/*': { invitationsSent: -1, invitationsAnswered: -1 } });
  });

  it('refuse an image that cannot be counted (poison for the scorer)', () => {
    expect(() => readInvitationImage(invitation({ sentAt: 'yesterday' }))).toThrow(InvalidInvitationImage);
    expect(() => readInvitationImage(invitation({ surveyId: 'NOT VALID', sentAt: '2026-11-20T10:00:00Z' }))).toThrow(
      InvalidInvitationImage,
    );
  });

  it('give the response rate with one decimal, null when none were sent', () => {
    expect(invitationRateOf({})).toEqual({ sent: 0, answered: 0, responseRate: null });
    expect(invitationRateOf({ invitationsSent: 3, invitationsAnswered: 1 })).toEqual({
      sent: 3,
      answered: 1,
      responseRate: 33.3,
    });
    expect(invitationRateOf({ invitationsSent: 3, invitationsAnswered: 2 })).toEqual({
      sent: 3,
      answered: 2,
      responseRate: 66.7,
    });
    expect(invitationRateOf({ invitationsSent: 8, invitationsAnswered: 1 })).toEqual({
      sent: 8,
      answered: 1,
      responseRate: 12.5,
    });
    expect(invitationRateOf({ invitationsSent: 4 })).toEqual({ sent: 4, answered: 0, responseRate: 0 });
  });

  it('appear in the report total and every series item, per the period of sending', () => {
    const day = (d: string, counts: Record<string, number>) => ({
      surveyId: 's-1',
      day: d,
      dimension: 'all',
      segment: '*',
      counts,
    });
    const report = scoreReport({ surveyId: 's-1', from: '2026-11-20', to: '2026-11-22', interval: 'day', by: 'channel' }, [
      day('2026-11-20', { invitationsSent: 2, invitationsAnswered: 1 }),
      day('2026-11-22', { responses: 1, nps10: 1, invitationsSent: 1 }),
      { surveyId: 's-1', day: '2026-11-22', dimension: 'channel', segment: 'email', counts: { responses: 1, nps10: 1 } },
    ]);
    expect(report.total.invitations).toEqual({ sent: 3, answered: 1, responseRate: 33.3 });
    expect(report.total.responses).toBe(1);
    expect(report.series.map((s) => [s.period, s.invitations])).toEqual([
      ['2026-11-20', { sent: 2, answered: 1, responseRate: 50 }],
      ['2026-11-21', { sent: 0, answered: 0, responseRate: null }],
      ['2026-11-22', { sent: 1, answered: 0, responseRate: 0 }],
    ]);
    expect(report.series[0]).toMatchObject({ responses: 0, nps: null });
    expect(report.segments).toEqual([expect.not.objectContaining({ invitations: expect.anything() })]);
  });
});

import { describe, expect, it } from 'vitest';
import { noticeText, snsSubject } from '../../functions/data/team-notifier.ts';

describe('the team notice subject', () => {
  it('stays under SNS’s 100 characters, printable ASCII, for the longest customer id', () => {
    const customerId = 'c'.repeat(128);
    const { subject } = noticeText({
      customerId,
      email: 'a@example.com',
      score: 3,
      campaignId: 'detractor-followup',
      runDate: '2026-11-24',
    });
    const sns = snsSubject(subject);
    expect(subject.length).toBeGreaterThan(100);
    expect(sns.length).toBeLessThan(100);
    expect(sns).toMatch(/^[\x20-\x7e]+$/);
    expect(sns.endsWith('...')).toBe(true);
  });

  it('keeps a short subject as it is, and makes anything else printable ASCII on one line', () => {
    expect(snsSubject('Detractor follow-up sent: c-1 rated us 3/10')).toBe('Detractor follow-up sent: c-1 rated us 3/10');
    expect(snsSubject('Ayşe\r\nBcc: x')).toBe('Ay?e??Bcc: x');
  });
});

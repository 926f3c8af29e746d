import { describe, expect, it } from 'vitest';
import { formatOrigins, parseOrigins } from '../../functions/core/origins.ts';
import { DASHBOARD_HEADERS } from '../../functions/pages/dashboard-page.ts';
import { surveyPageHeaders } from '../../functions/pages/survey-page.ts';

const SITES = ['https://shop.example', 'http://localhost:8080'];
const frameAncestors = (headers: Record<string, string>) =>
  /(?:^|; )frame-ancestors ([^;]*)/.exec(headers['content-security-policy'] ?? '')?.[1];

describe('who may frame a page (config allowedOrigins)', () => {
  it('lets no site frame the survey page when no origins are configured', () => {
    const headers = surveyPageHeaders([]);
    expect(frameAncestors(headers)).toBe("'none'");
    expect(headers['x-frame-options']).toBe('DENY');
  });

  it('lets exactly the configured sites frame the survey page, and drops X-Frame-Options (it cannot name them)', () => {
    const headers = surveyPageHeaders(SITES);
    expect(frameAncestors(headers)).toBe('https://shop.example http://localhost:8080');
    expect(headers).not.toHaveProperty('x-frame-options');
    expect(headers['content-security-policy']).toContain("default-src 'none'");
    expect(headers['referrer-policy']).toBe('no-referrer');
  });

  it('never lets a site frame the dashboard', () => {
    expect(frameAncestors(DASHBOARD_HEADERS)).toBe("'none'");
    expect(DASHBOARD_HEADERS['x-frame-options']).toBe('DENY');
  });
});

describe('origins in an env var', () => {
  it('round-trip, and an unset or empty variable is no origins', () => {
    expect(parseOrigins(formatOrigins(SITES))).toEqual(SITES);
    expect(parseOrigins(undefined)).toEqual([]);
    expect(parseOrigins('')).toEqual([]);
  });

  it.each([["'self'"], ['*'], ['https://shop.example;'], ['https://shop.example/path'], ['https:']])(
    'refuse %s, which would change the policy rather than name a site',
    (value) => {
      expect(() => parseOrigins(`https://ok.example ${value}`)).toThrow(/Not an origin/);
    },
  );
});

import { afterAll, describe, expect, it } from 'vitest';
import { formatOrigins } from '../../functions/core/origins.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { useApi } from '../support/api.ts';
import { givenLink, givenSurvey } from '../support/factories.ts';

/**
 * The website widget: with config `allowedOrigins`, the team's sites may frame the survey page, never the dashboard.
 * The local stack sets SITE_ORIGINS from the config for every handler, as the deployed stack does for Pages; here the
 * env is set before the handler loads, in this file's own module graph.
 */
const SITES = ['https://shop.example', 'https://www.shop.example'];
const before = process.env[ENV.siteOrigins];
process.env[ENV.siteOrigins] = formatOrigins(SITES);
afterAll(() => {
  if (before === undefined) delete process.env[ENV.siteOrigins];
  else process.env[ENV.siteOrigins] = before;
});

const api = useApi();
const frameAncestors = (headers: Headers) =>
  /(?:^|; )frame-ancestors ([^;]*)/.exec(headers.get('content-security-policy') ?? '')?.[1];

describe('framing with allowedOrigins configured', () => {
  it('lets exactly those sites frame the survey page, with no X-Frame-Options to contradict them', async () => {
    const surveyId = await givenSurvey(api);
    const { token } = await givenLink(api, surveyId);

    const res = await api.request('GET', `/s/${surveyId}?t=${encodeURIComponent(token)}`);

    expect(res.status).toBe(200);
    expect(frameAncestors(res.headers)).toBe('https://shop.example https://www.shop.example');
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('keeps the dashboard unframeable', async () => {
    const res = await api.request('GET', '/dashboard');

    expect(res.status).toBe(200);
    expect(frameAncestors(res.headers)).toBe("'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

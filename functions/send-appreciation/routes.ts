import { defineRoutes } from '#runtime/routes.ts';

// The runs body is checked by hand in the handler, after the campaign's 404 and against today's date window.
export const routes = defineRoutes({
  'POST /v1/campaigns/{campaignId}/runs': {
    auth: 'admin',
    summary: 'Run an appreciation campaign now',
    description:
      'Body {"date":"YYYY-MM-DD","dryRun":false}, both optional. 200 when done within 20 seconds, else 202 and it goes on.',
    responses: { 200: { description: 'The finished run.' }, 202: { description: '{"runId":"…","status":"running"}' } },
    errors: [400, 404, 413, 415],
  },
  'GET /v1/campaigns/{campaignId}/runs/{runId}': {
    auth: 'admin',
    summary: "A campaign run's progress",
    responses: { 200: { description: 'The run so far, or finished ("status":"done").' } },
    errors: [404],
  },
});

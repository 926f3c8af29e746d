import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FUNCTIONS, routesOf } from '../../lib/manifest.ts';
import { buildOpenApi, declaredRoutes, OPENAPI_FILE, renderOpenApi } from '../../scripts/openapi.ts';
import { scopeOf } from '../../functions/runtime/routes.ts';

const doc = (await buildOpenApi()) as any;
const routeKeys = routesOf()
  .map((r) => r.routeKey)
  .filter((key) => key !== '$default');
const operationOf = (routeKey: string) => {
  const [method, path] = routeKey.split(' ') as [string, string];
  return doc.paths[path.replace(/\{(\w+)\+\}/g, '{$1}')]?.[method.toLowerCase()];
};

/** Every `$ref` in the document, with where it was found. */
function refs(node: unknown, at = '#'): Array<[string, string]> {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [[at, value] as [string, string]] : refs(value, `${at}/${key}`),
  );
}

describe('docs/openapi.json', () => {
  it('is up to date with the route declarations and the manifest (if not: run `npm run openapi`)', () => {
    const onDisk = readFileSync(OPENAPI_FILE, 'utf8');
    expect(onDisk === renderOpenApi(doc), `docs/openapi.json is stale: run \`npm run openapi\` and commit the result`).toBe(true);
  });

  it('is OpenAPI 3.1 with one bearer scheme: the admin token or an API key', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it.each(routeKeys)('documents %s, with an operationId of its own', (routeKey) => {
    const op = operationOf(routeKey);
    expect(op).toBeDefined();
    const ids = routeKeys.map((key) => operationOf(key)?.operationId);
    expect(ids.filter((id) => id === op.operationId)).toHaveLength(1);
    for (const [, name] of routeKey.matchAll(/\{(\w+)\+?\}/g)) {
      expect(op.parameters).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }));
    }
  });

  it('resolves every $ref', () => {
    for (const [at, ref] of refs(doc)) {
      const target = ref
        .slice(2)
        .split('/')
        .reduce<any>((node, part) => node?.[part], doc);
      expect(target, `${at} → ${ref}`).toBeDefined();
    }
  });

  it('answers errors in the contract shape, with issues only for validation', () => {
    expect(doc.components.schemas.Error).toMatchObject({
      required: ['error'],
      properties: { error: { required: ['code', 'message'], properties: { issues: { type: 'array' } } } },
    });
    for (const routeKey of routeKeys.filter((key) => operationOf(key).security.length > 0)) {
      expect(operationOf(routeKey).responses['401'], routeKey).toEqual({ $ref: '#/components/responses/Error401' });
      expect(operationOf(routeKey).responses['403'], routeKey).toEqual({ $ref: '#/components/responses/Error403' });
    }
  });

  it('states the request bodies exactly as the schemas validate them', () => {
    const { ResponseInput, SurveyInput, LinkInput } = doc.components.schemas;
    expect(ResponseInput.additionalProperties).toBe(false);
    expect(ResponseInput.properties.nps).toEqual({ type: 'integer', minimum: 0, maximum: 10 });
    expect(ResponseInput.properties.comment).toEqual({ type: 'string', maxLength: 2000 });
    expect(SurveyInput.required).toEqual(['name', 'questions']);
    expect(LinkInput.properties.expiresInDays).toMatchObject({ default: 30, minimum: 1, maximum: 365 });
    expect(operationOf('POST /v1/responses').parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
    );
  });

  it('states query parameters as the routes validate them', () => {
    const query = (routeKey: string, name: string) =>
      operationOf(routeKey).parameters.find((p: any) => p.in === 'query' && p.name === name)?.schema;
    expect(query('GET /v1/surveys/{surveyId}/responses', 'limit')).toEqual({
      type: 'integer',
      minimum: 1,
      maximum: 1000,
      default: 100,
    });
    expect(query('GET /v1/surveys/{surveyId}/scores', 'interval')).toMatchObject({
      enum: ['day', 'week', 'month', 'total'],
      default: 'day',
    });
    expect(operationOf('GET /v1/surveys/{surveyId}/responses').responses['200'].content).toHaveProperty('text/csv');
  });

  it('states the scope of every route: the bearer credential with the scope as its role, optional or none', async () => {
    for (const { routeKey, spec } of await declaredRoutes()) {
      const scope = scopeOf(spec.auth);
      const expected =
        scope === undefined ? [] : typeof spec.auth === 'object' ? [{}, { bearer: [scope] }] : [{ bearer: [scope] }];
      expect(operationOf(routeKey).security, routeKey).toEqual(expected);
      expect(operationOf(routeKey).description, routeKey).toMatch(scope ? `\`${scope}\`` : 'Public: no credential.');
    }
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer']);
    expect(operationOf('GET /health').security).toEqual([]);
    expect(operationOf('POST /v1/responses').security).toEqual([{}, { bearer: ['ingest'] }]);
    expect(operationOf('GET /v1/surveys/{surveyId}/scores').security).toEqual([{ bearer: ['read'] }]);
    expect(operationOf('PUT /v1/customers/{customerId}').security).toEqual([{ bearer: ['ingest'] }]);
    expect(operationOf('POST /v1/keys').security).toEqual([{ bearer: ['admin'] }]);
  });

  it('documents only errors the service produces (no rate_limited: that body is API Gateway’s own)', () => {
    expect(JSON.stringify(doc)).not.toMatch(/rate_limited|Error429/);
  });
});

describe('route declarations', () => {
  it('exist for every manifest route, and only for manifest routes', async () => {
    const declared = (await declaredRoutes()).map((r) => r.routeKey).sort();
    expect(declared).toEqual([...routeKeys].sort());
  });

  it('that take credentials belong to functions the manifest lets read the admin token and get API keys', async () => {
    for (const { fn, routeKey, spec } of await declaredRoutes()) {
      if (spec.auth === 'public') continue;
      const at = `${fn.name}: ${routeKey} is ${JSON.stringify(spec.auth)}`;
      expect(fn.access.adminToken, at).toBe(true);
      expect(fn.access.table, at).toContain('GetItem');
    }
  });

  it('fail the generator when the manifest lists a route nobody declares, or the other way round', async () => {
    const surveys = FUNCTIONS.find((fn) => fn.name === 'ManageSurveys')!;
    const extra = { ...surveys, routes: [...surveys.routes!, 'DELETE /v1/surveys/{surveyId}'] };
    await expect(declaredRoutes([extra])).rejects.toThrow(
      /DELETE \/v1\/surveys\/\{surveyId\} is in lib\/manifest.ts but not declared/,
    );
    const fewer = { ...surveys, routes: surveys.routes!.slice(1) };
    await expect(declaredRoutes([fewer])).rejects.toThrow(
      /PUT \/v1\/surveys\/\{surveyId\} is declared but not in lib\/manifest.ts/,
    );
  });
});

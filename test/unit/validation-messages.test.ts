import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { issuesOf } from '../../functions/core/validation-messages.ts';

const schema = z.strictObject({ nps: z.int().check(z.gte(0), z.lte(10)), inner: z.optional(z.strictObject({ a: z.string() })) });
const issues = (value: unknown, at?: string[]) => issuesOf(z.safeParse(schema, value).error!.issues, at);

describe('issuesOf', () => {
  it('says what was expected, at a dotted path under the part of the request', () => {
    expect(issues({ nps: 11, inner: { a: 5 } }, ['body'])).toEqual([
      { path: 'body.nps', message: 'Too big: expected number to be <=10' },
      { path: 'body.inner.a', message: 'Invalid input: expected string, received number' },
    ]);
  });

  it('names each unknown field at its own path, nested ones too', () => {
    expect(issues({ nps: 1, score: 9, grade: 'A' }).map((i) => i.path)).toEqual(['score', 'grade']);
    expect(issues({ nps: 1, inner: { a: 'x', b: 1 } })).toEqual([
      { path: 'inner.b', message: 'Unknown field: leave it out, or check its spelling.' },
    ]);
  });

  it('names ten unknown fields, then counts the rest in one issue', () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 1]));
    const found = issues({ nps: 1, ...many });
    expect(found).toHaveLength(11);
    expect(found.slice(0, 10).map((i) => i.path)).toEqual(Array.from({ length: 10 }, (_, i) => `k${i}`));
    expect(found[10]).toEqual({ path: '', message: 'And 990 more unknown fields.' });
  });
});

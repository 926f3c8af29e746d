import { expect } from 'vitest';
import type { Reply } from './api.ts';

/**
 * Asserts the contract's error answer: the status, `{"error":{"code","message"}}` and nothing else, with
 * `issues` [{path, message}] exactly when the code is `validation_failed` (and, if given, one at `path`).
 */
export function expectContractError(reply: Reply, status: number, code: string, path?: string) {
  expect({ status: reply.status, code: reply.body?.error?.code }, reply.text).toEqual({ status, code });
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(reply.body)).toEqual(['error']);
  const { error } = reply.body as { error: { code: string; message: unknown; issues?: unknown } };
  expect(error.message).toEqual(expect.stringMatching(/\S/));
  if (code !== 'validation_failed') {
    expect(Object.keys(error).sort()).toEqual(['code', 'message']);
    return;
  }
  expect(Object.keys(error).sort()).toEqual(['code', 'issues', 'message']);
  const issues = error.issues as Array<Record<string, unknown>>;
  expect(issues.length).toBeGreaterThan(0);
  for (const issue of issues) {
    expect(Object.keys(issue).sort()).toEqual(['message', 'path']);
    expect(issue).toEqual({ path: expect.any(String), message: expect.stringMatching(/\S/) });
    // Says what was expected: zod/mini's bare default, without the messages loaded, says only "Invalid input".
    expect(issue.message).not.toBe('Invalid input');
  }
  if (path !== undefined) expect(issues.map((i) => i.path)).toContain(path);
}

import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import type { Issue } from './errors.ts';

/**
 * zod/mini ships without messages: every issue it finds itself reads "Invalid input". Loaded once per process, the
 * English ones say what was expected ("Too big: expected number to be <=10", "Invalid email address").
 * Imported by everything that reports issues: the HTTP stack and the importer.
 */
z.config(en());

/** Unknown fields named one by one, at most this many an object (a 16 KiB body can hold thousands). */
const UNKNOWN_FIELDS_NAMED = 10;

/**
 * zod's issues as the contract's `{path, message}`: the path dotted, and each unknown field an issue at its own name
 * (zod reports them together, at the object's path).
 */
export function issuesOf(issues: readonly z.core.$ZodIssue[], at: readonly string[] = []): Issue[] {
  return issues.flatMap((issue) => {
    const path = [...at, ...issue.path.map(String)];
    if (issue.code !== 'unrecognized_keys') return [{ path: path.join('.'), message: issue.message }];
    const named = issue.keys.slice(0, UNKNOWN_FIELDS_NAMED).map((key) => ({
      path: [...path, key].join('.'),
      message: 'Unknown field: leave it out, or check its spelling.',
    }));
    const more = issue.keys.length - named.length;
    return more > 0 ? [...named, { path: path.join('.'), message: `And ${more} more unknown fields.` }] : named;
  });
}

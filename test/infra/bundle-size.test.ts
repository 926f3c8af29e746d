import { expect, it } from 'vitest';
import { measureBundles } from '../../lib/bundling.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';

/** A budget, not a timing: importing classic `zod` or a whole namespace once took a handler from 71 KB to 460 KB. */
const BUDGET_BYTES = 200 * 1024;

it('keeps every function bundle under its budget', async () => {
  const sizes = await measureBundles(FUNCTIONS);
  expect(sizes).toHaveLength(FUNCTIONS.length);
  for (const { name, bytes } of sizes) expect({ name, bytes: bytes < BUDGET_BYTES }).toEqual({ name, bytes: true });
}, 120_000);

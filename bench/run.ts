#!/usr/bin/env node
/**
 * `npm run bench`: every bench in this folder, one after another, each in its own process (each starts its own
 * DynamoDB Local and local SES). A bench prints its figures as JSON; a failing bench fails the whole run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const here = import.meta.dirname;
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .sort();
let failed = 0;
for (const bench of benches) {
  console.error(`[bench] ${bench}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, bench)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);

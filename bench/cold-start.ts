#!/usr/bin/env node
/**
 * The part of each function's cold start its code decides: the time to import its bundle in a fresh Node process.
 * Every manifest function is bundled exactly as the stack bundles it (lib/bundling.ts), with the env the stack
 * gives it (dummy values: module-scope wiring only builds clients and reads env, no network), and imported in RUNS
 * fresh processes, as Lambda runs it (`--enable-source-maps`); externals resolve from this project's node_modules,
 * standing in for the runtime's SDK. Prints the median per function and, measured in the same run, baselines: an
 * empty module, and SDK clients imported alone. Wall time is what a cold start waits; the process's CPU time is
 * the steadier figure on a busy machine. About 20 s on two idle cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appreciationEnvironment } from '../lib/appreciation-env.ts';
import { bundleFunctions } from '../lib/bundling.ts';
import { parseConfig } from '../lib/config.ts';
import { FUNCTIONS, type FunctionSpec } from '../lib/manifest.ts';
import { ENV } from '../functions/runtime/env.ts';

const RUNS = Number(process.env.COLD_START_RUNS ?? 5);
const PROJECT_ROOT = join(import.meta.dirname, '..');
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench';

/** What FeedbackFunction sets from a spec's access (names from ENV, values dummies). */
function envOf(spec: FunctionSpec): Record<string, string> {
  const { access } = spec;
  return {
    POWERTOOLS_SERVICE_NAME: 'feedback',
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: spec.name,
    ...(access.table ? { [ENV.tableName]: 'feedback' } : {}),
    ...(access.adminToken ? { [ENV.adminTokenSecretArn]: ARN } : {}),
    ...(access.signingKeys ? { [ENV.signingKeysSecretArn]: ARN } : {}),
    ...(access.scorerDlq ? { [ENV.scorerDlqUrl]: 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq' } : {}),
    ...(access.teamTopic ? { [ENV.teamTopicArn]: 'arn:aws:sns:us-east-1:123456789012:team' } : {}),
    ...(access.mailer
      ? {
          ...appreciationEnvironment(parseConfig({})),
          [ENV.sesConfigurationSet]: 'feedback',
          [ENV.publicBaseUrl]: 'https://feedback.example.com',
        }
      : {}),
  };
}

interface Sample {
  ms: number;
  cpuMs: number;
}

/** Wall and CPU milliseconds to import `file` in a fresh process with `env` (and of this process's env, PATH only). */
function importTime(file: string, env: Record<string, string>): Sample {
  const script = [
    'const [t, c] = [performance.now(), process.cpuUsage()];',
    'await import(process.argv[1]);',
    'const cpu = process.cpuUsage(c);',
    'console.log(JSON.stringify({ ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000 }));',
  ].join(' ');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, pathToFileURL(file).href], {
    env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', ...env },
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`Importing ${file} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout) as Sample;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
try {
  // Bundles import their externals (the SDK) as packages: found here as in the runtime's own node_modules.
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const bundles = await bundleFunctions(FUNCTIONS, join(dir, 'functions'));
  const baseline = (name: string, source: string) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.mjs`);
    writeFileSync(file, source);
    return { name, file, env: { NODE_OPTIONS: '--enable-source-maps' }, kb: '' };
  };
  const targets = [
    baseline('(empty module)', 'export {};\n'),
    baseline('(@aws-sdk/client-dynamodb)', "import '@aws-sdk/client-dynamodb';\n"),
    baseline('(@aws-sdk/client-sesv2)', "import '@aws-sdk/client-sesv2';\n"),
    ...bundles.map((bundle) => ({
      name: bundle.name,
      file: bundle.outfile,
      env: envOf(FUNCTIONS.find((spec) => spec.name === bundle.name)!),
      kb: (bundle.bytes / 1024).toFixed(1),
    })),
  ];
  // One unmeasured round warms the file cache; then rounds interleave the targets, so load on the machine spreads evenly.
  for (const target of targets) importTime(target.file, target.env);
  const samples = new Map(targets.map((t) => [t.name, [] as Sample[]]));
  for (let run = 0; run < RUNS; run++) for (const t of targets) samples.get(t.name)!.push(importTime(t.file, t.env));

  const medians = new Map(
    [...samples].map(([name, runs]) => [name, { ms: median(runs.map((r) => r.ms)), cpuMs: median(runs.map((r) => r.cpuMs)) }]),
  );
  const empty = medians.get('(empty module)')!;
  const dynamoDb = medians.get('(@aws-sdk/client-dynamodb)')!;
  const ratio = (m: Sample, key: keyof Sample) => (m[key] - empty[key]) / (dynamoDb[key] - empty[key]);
  const width = Math.max(...targets.map((t) => t.name.length));
  console.log(`import time, median of ${RUNS} fresh processes; × = (time - empty module's) / (DynamoDB client's - empty's)`);
  const columns = ['KB', 'wall ms', '×', 'CPU ms', '×'];
  console.log(`${'module'.padEnd(width)}  ${columns.map((c) => c.padStart(7)).join('  ')}`);
  for (const t of targets) {
    const m = medians.get(t.name)!;
    const cells = [t.kb, m.ms.toFixed(1), ratio(m, 'ms').toFixed(2), m.cpuMs.toFixed(1), ratio(m, 'cpuMs').toFixed(2)];
    console.log(`${t.name.padEnd(width)}  ${cells.map((c) => c.padStart(7)).join('  ')}`);
  }
  const round = (n: number) => Number(n.toFixed(1));
  console.log(
    JSON.stringify({
      bench: 'cold-start',
      runs: RUNS,
      medianImport: Object.fromEntries([...medians].map(([name, m]) => [name, { ms: round(m.ms), cpuMs: round(m.cpuMs) }])),
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

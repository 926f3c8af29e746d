import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { App, type CfnResource } from 'aws-cdk-lib';
import { bundleFunctions, MAILER_BUNDLED_SDK, type FunctionBundle } from '../../lib/bundling.ts';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';

/** A budget, not a timing: importing classic `zod` or a whole namespace once took a handler from 71 KB to 460 KB. */
const BUDGET_BYTES = 200 * 1024;
/**
 * Mailers carry the SES v2 client with its `@aws-sdk/core` and `@smithy/core` (about 470 KB) so that deployed emails
 * keep their headers whatever SDK the runtime ships (lib/bundling.ts): the same budget plus that, and no more.
 */
const MAILER_BUDGET_BYTES = 750 * 1024;

const SES_CLIENT = '@aws-sdk/client-sesv2';
const isMailer = (name: string) => FUNCTIONS.find((spec) => spec.name === name)?.access.mailer === true;

let bundles: FunctionBundle[] | undefined;
const bundled = async () => (bundles ??= await bundleFunctions(FUNCTIONS));

/** The SDK packages a package needs, itself included, as npm installed them for this project. */
function sdkClosureOf(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const dependency of Object.keys(manifest.dependencies ?? {}))
    if (dependency.startsWith('@aws-sdk/')) sdkClosureOf(dependency, seen);
  return seen;
}

describe('function bundles', () => {
  it('keeps every function bundle under its budget', async () => {
    const sizes = await bundled();
    expect(sizes).toHaveLength(FUNCTIONS.length);
    for (const { name, bytes } of sizes) {
      const budget = isMailer(name) ? MAILER_BUDGET_BYTES : BUDGET_BYTES;
      expect({ name, bytes: bytes < budget }).toEqual({ name, bytes: true });
    }
  }, 120_000);

  it('loads the SES client only in the functions that send email (to customers, or to the team locally)', async () => {
    const withSes = (await bundled()).filter((b) => b.runtimeSdk.includes(SES_CLIENT) || b.bundledSdk.includes(SES_CLIENT));
    expect(withSes.map((b) => b.name)).toEqual(
      FUNCTIONS.filter((spec) => spec.access.mailer || spec.access.teamTopic).map((spec) => spec.name),
    );
  }, 120_000);

  it('takes the whole SDK from the runtime in the functions that do not send', async () => {
    for (const { name, bundledSdk } of (await bundled()).filter((b) => !isMailer(b.name)))
      expect({ name, bundledSdk }).toEqual({ name, bundledSdk: [] });
  }, 120_000);

  it('bundles the pinned SES client and what it needs into mailers, and takes every other SDK client from the runtime', async () => {
    const mailers = (await bundled()).filter((b) => isMailer(b.name));
    expect(mailers.length).toBeGreaterThan(0);
    const closure = new Set(MAILER_BUNDLED_SDK.flatMap((name) => [...sdkClosureOf(name)]));
    for (const { name, runtimeSdk, bundledSdk } of mailers) {
      expect(bundledSdk).toEqual(expect.arrayContaining(MAILER_BUNDLED_SDK));
      expect({ name, outsideClosure: bundledSdk.filter((pkg) => !closure.has(pkg)) }).toEqual({ name, outsideClosure: [] });
      // A package both bundled and taken from the runtime would run two versions side by side.
      expect({ name, both: runtimeSdk.filter((pkg) => bundledSdk.includes(pkg)) }).toEqual({ name, both: [] });
      expect(runtimeSdk).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']));
    }
  }, 120_000);
});

describe('the stack', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'feedback-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles each function exactly as bundleFunctions does (so sizes and import times are the deployed ones)', async () => {
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new FeedbackStack(app, 'Bundled', { config: parseConfig({}) });
    const assembly = app.synth();
    const resources = (
      JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.template.json`), 'utf8')) as {
        Resources: Record<string, { Metadata?: Record<string, string> }>;
      }
    ).Resources;
    const deployed = [...stack.functions].map(([name, fn]) => {
      const logicalId = stack.getLogicalId(fn.fn.node.defaultChild as CfnResource);
      const assetPath = resources[logicalId]?.Metadata?.['aws:asset:path'];
      if (!assetPath) throw new Error(`No asset for ${name}`);
      return { name, bytes: statSync(join(assembly.directory, assetPath, 'index.mjs')).size };
    });
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(deployed.sort(byName)).toEqual((await bundled()).map(({ name, bytes }) => ({ name, bytes })).sort(byName));
  }, 180_000);
});

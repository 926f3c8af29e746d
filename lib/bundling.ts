import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import type { FunctionSpec } from './manifest.ts';

/**
 * How every function is bundled, in one place: the CDK stack hands these to NodejsFunction (local esbuild, no
 * Docker), and `npm run sizes`, the bundle tests and `bench/cold-start.ts` bundle with the same options.
 */
export const NODE_TARGET = 'node24';

/** ESM bundles need `require` for the few dependencies that call it. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

const PROJECT_ROOT = join(import.meta.dirname, '..');

/** The Lambda Node.js runtime ships the AWS SDK v3, so bundles leave it out (smaller bundles, faster cold starts). */
export const RUNTIME_SDK = ['@aws-sdk/*'];

/**
 * The SDK clients a function that sends email (`access.mailer`) carries in its bundle, at the version package.json
 * pins. The runtime's SDK is whatever version AWS last put in the runtime, and an SES v2 client older than the
 * `Content.Simple.Headers` field (added in 2024) drops our List-Unsubscribe headers without an error. Bundling the
 * client guarantees the headers; a version check at cold start could only refuse to send. Its cost, for that one
 * function: see `npm run sizes` and `bench/cold-start.ts`.
 */
export const MAILER_BUNDLED_SDK = ['@aws-sdk/client-sesv2'];

/** The SDK packages the project depends on: what a mailer still takes from the runtime, the bundled ones apart. */
const SDK_DEPENDENCIES = Object.keys(
  (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies,
).filter((name) => name.startsWith('@aws-sdk/'));

/**
 * esbuild's externals of a function. For a mailer, every SDK package the project depends on except the bundled
 * client; the packages that client imports (`@aws-sdk/core`, credential providers, …) are then bundled with it,
 * so it never runs on the runtime's older core.
 */
export function externalModulesOf(spec: Pick<FunctionSpec, 'access'>): string[] {
  if (!spec.access.mailer) return RUNTIME_SDK;
  return SDK_DEPENDENCIES.filter((name) => !MAILER_BUNDLED_SDK.includes(name));
}

/** The esbuild options NodejsFunction derives from the stack's bundling props (feedback-function.ts). */
export function buildOptionsOf(spec: Pick<FunctionSpec, 'entry' | 'access'>, outfile: string): BuildOptions {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: [join(PROJECT_ROOT, spec.entry)],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    format: 'esm',
    target: NODE_TARGET,
    banner: { js: ESM_REQUIRE_BANNER },
    external: externalModulesOf(spec),
    logLevel: 'error',
  };
}

export interface FunctionBundle {
  name: string;
  /** Minified size of the code (the source map apart). */
  bytes: number;
  /** The bundle file, when written. */
  outfile: string;
  /** SDK packages it imports from the runtime. */
  runtimeSdk: string[];
  /** SDK packages inside the bundle. */
  bundledSdk: string[];
}

/**
 * Each function bundled exactly as the stack bundles it, as `index.mjs` under `outdir/<name>/` when `outdir` is
 * given (then it can be run), else in memory.
 */
export async function bundleFunctions(
  functions: ReadonlyArray<Pick<FunctionSpec, 'name' | 'entry' | 'access'>>,
  outdir?: string,
): Promise<FunctionBundle[]> {
  const { build } = await import('esbuild');
  const bundles: FunctionBundle[] = [];
  for (const spec of functions) {
    const outfile = join(outdir ?? join(PROJECT_ROOT, 'cdk.out', 'bundles'), spec.name, 'index.mjs');
    const result = await build({ ...buildOptionsOf(spec, outfile), write: outdir !== undefined, metafile: true });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
    if (!output) throw new Error(`esbuild produced no bundle for ${spec.name}.`);
    bundles.push({
      name: spec.name,
      bytes: output.bytes,
      outfile,
      runtimeSdk: unique(output.imports.filter((i) => i.external).flatMap((i) => sdkPackageOf(i.path))),
      bundledSdk: bundledSdkOf(result.metafile),
    });
  }
  return bundles;
}

/** Minified size in bytes of each manifest function, bundled exactly as the stack bundles it. */
export async function measureBundles(functions: ReadonlyArray<Pick<FunctionSpec, 'name' | 'entry' | 'access'>>) {
  return (await bundleFunctions(functions)).map(({ name, bytes }) => ({ name, bytes }));
}

const unique = (names: string[]) => [...new Set(names)].sort();

/** `@aws-sdk/lib-dynamodb` of `@aws-sdk/lib-dynamodb` or of `node_modules/@aws-sdk/lib-dynamodb/dist-cjs/index.js`. */
function sdkPackageOf(path: string): string[] {
  const match = /(?:^|node_modules\/)(@aws-sdk\/[^/]+)/.exec(path);
  return match?.[1] ? [match[1]] : [];
}

const bundledSdkOf = (metafile: Metafile) => unique(Object.keys(metafile.inputs).flatMap(sdkPackageOf));

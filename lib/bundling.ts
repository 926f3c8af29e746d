/**
 * How every function is bundled, in one place: the CDK stack hands these to NodejsFunction (local esbuild, no
 * Docker), and `npm run sizes` bundles with the same options to report each function's size.
 */
export const NODE_TARGET = 'node24';

/** ESM bundles need `require` for the few dependencies that call it. */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** The Lambda Node.js runtime ships the AWS SDK v3, so bundles leave it out (smaller bundles, faster cold starts). */
export const EXTERNAL_MODULES = ['@aws-sdk/*'];

/** Minified size in bytes of each manifest function, bundled exactly as the stack bundles it. */
export async function measureBundles(functions: ReadonlyArray<{ name: string; entry: string }>) {
  const { build } = await import('esbuild');
  const sizes: Array<{ name: string; bytes: number }> = [];
  for (const spec of functions) {
    const result = await build({
      entryPoints: [spec.entry],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: NODE_TARGET,
      banner: { js: ESM_REQUIRE_BANNER },
      external: EXTERNAL_MODULES,
      write: false,
      logLevel: 'error',
    });
    sizes.push({ name: spec.name, bytes: result.outputFiles.reduce((sum, file) => sum + file.contents.length, 0) });
  }
  return sizes;
}

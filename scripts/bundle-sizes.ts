/**
 * `npm run sizes`: every function's minified bundle, built with the stack's own esbuild options, so a dependency
 * that bloats a cold start shows up in review.
 */
import { bundleFunctions, MAILER_BUNDLED_SDK } from '../lib/bundling.ts';
import { FUNCTIONS } from '../lib/manifest.ts';

const bundles = await bundleFunctions(FUNCTIONS);
const width = Math.max(...bundles.map((s) => s.name.length), 5);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(7)} KB`;
for (const { name, bytes, bundledSdk } of bundles) {
  const carried = bundledSdk.filter((pkg) => MAILER_BUNDLED_SDK.includes(pkg));
  console.log(`${name.padEnd(width)}  ${kb(bytes)}${carried.length ? `  (bundles ${carried.join(', ')} and its SDK core)` : ''}`);
}
console.log(
  `${'total'.padEnd(width)}  ${kb(bundles.reduce((sum, s) => sum + s.bytes, 0))}  (minified; the Lambda runtime provides the rest of the AWS SDK)`,
);

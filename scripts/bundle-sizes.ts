/**
 * `npm run sizes`: every function's minified bundle, built with the stack's own esbuild options, so a dependency
 * that bloats a cold start shows up in review.
 */
import { measureBundles } from '../lib/bundling.ts';
import { FUNCTIONS } from '../lib/manifest.ts';

const sizes = await measureBundles(FUNCTIONS);
const width = Math.max(...sizes.map((s) => s.name.length), 5);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(7)} KB`;
for (const { name, bytes } of sizes) console.log(`${name.padEnd(width)}  ${kb(bytes)}`);
console.log(
  `${'total'.padEnd(width)}  ${kb(sizes.reduce((sum, s) => sum + s.bytes, 0))}  (minified; the Lambda runtime provides the AWS SDK)`,
);

import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The import boundaries of eslint.config.js, proved on fixture sources. Type-aware rules are switched off so this
 * stays quick: the boundary rule needs no type information.
 */
const eslint = new ESLint({ overrideConfig: tseslint.configs.disableTypeChecked });

async function boundaryErrors(filePath: string, source: string) {
  const [result] = await eslint.lintText(source, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports' && m.severity === 2).length;
}

const importOf = (specifier: string) => `import * as m from '${specifier}';\nexport const used = m;\n`;

describe('import boundaries', () => {
  it.each([
    ['functions/core/fixture.ts', '@aws-sdk/client-dynamodb'],
    ['functions/core/fixture.ts', '@aws-sdk/lib-dynamodb'],
    ['functions/core/fixture.ts', '@middy/core'],
    ['functions/core/fixture.ts', 'aws-cdk-lib'],
    ['functions/core/fixture.ts', '#data/keys.ts'],
    ['functions/core/fixture.ts', '../data/keys.ts'],
    ['functions/core/fixture.ts', '#runtime/env.ts'],
    ['functions/core/fixture.ts', '../runtime/env.ts'],
    ['functions/core/questions/fixture.ts', '../../data/keys.ts'],
    ['functions/core/fixture.ts', '../submit-response/handler.ts'],
    ['functions/core/fixture.ts', '../pages/survey-page.ts'],
    ['functions/core/fixture.ts', '#pages/survey-page.ts'],
    ['functions/core/fixture.ts', './pages/survey-page.ts'],
    ['functions/core/fixture.ts', 'node:fs/promises'],
    ['functions/core/fixture.ts', 'node:child_process'],
    ['functions/pages/fixture.ts', '#data/surveys.ts'],
    ['functions/pages/fixture.ts', '@aws-sdk/client-sesv2'],
    ['functions/pages/fixture.ts', '../serve-pages/handler.ts'],
    ['functions/submit-response/handler.ts', '../manage-surveys/handler.ts'],
    ['functions/submit-response/fixture.ts', '../../functions/manage-surveys/handler.ts'],
    ['functions/data/fixture.ts', '../send-appreciation/run-campaign.ts'],
    ['functions/runtime/fixture.ts', '../serve-pages/handler.ts'],
    ['functions/health/handler.ts', '../../lib/manifest.ts'],
  ])('%s may not import %s', async (file, specifier) => {
    expect(await boundaryErrors(file, importOf(specifier))).toBe(1);
  });

  it.each([
    ['functions/core/fixture.ts', './ids.ts'],
    ['functions/core/fixture.ts', 'node:crypto'],
    ['functions/core/fixture.ts', 'zod/mini'],
    ['functions/core/questions/fixture.ts', '../ids.ts'],
    ['functions/pages/fixture.ts', '#core/ids.ts'],
    ['functions/pages/fixture.ts', '../core/ids.ts'],
    ['functions/core/pages/fixture.ts', '../ids.ts'],
    ['functions/submit-response/handler.ts', '#core/ids.ts'],
    ['functions/submit-response/handler.ts', '#data/responses.ts'],
    ['functions/submit-response/handler.ts', '#runtime/http.ts'],
    ['functions/submit-response/handler.ts', './helpers.ts'],
    ['functions/serve-pages/handler.ts', '#pages/survey-page.ts'],
    ['functions/data/fixture.ts', '@aws-sdk/lib-dynamodb'],
    ['functions/data/fixture.ts', '#core/schemas.ts'],
    ['lib/fixture.ts', '../functions/submit-response/handler.ts'],
  ])('%s may import %s', async (file, specifier) => {
    expect(await boundaryErrors(file, importOf(specifier))).toBe(0);
  });
});

// @ts-check
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Layers under functions/, and what each may import (docs: CONTRIBUTING.md, "lint and boundaries"):
 * - core: the pure domain. No AWS, no I/O, nothing from data, runtime, pages or a capability.
 * - pages: HTML and browser code. May import core; no AWS, data, runtime or capability.
 * - data, runtime: adapters. May import core (and each other); never a capability.
 * - mail: the mail pipeline every email kind shares. Core and runtime; its data comes through ports, never data.
 * - capabilities (every other folder: one handler each): core, data, runtime, pages; never another capability.
 * The capability list is read from the folder, so a new capability is covered the day it is created.
 */
const LAYERS = ['core', 'data', 'runtime', 'pages', 'mail'];
const CAPABILITIES = readdirSync(join(import.meta.dirname, 'functions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && !LAYERS.includes(entry.name))
  .map((entry) => entry.name);

const oneOf = (/** @type {string[]} */ names) => `(${names.join('|')})`;
/** A folder of functions/ reached by a relative path (`../x/`, `../../functions/x/`) or by a `#x/` import. */
const folderImport = (/** @type {string[]} */ names) => `^((\\.\\./)+(functions/)?|#)${oneOf(names)}/`;

const AWS = {
  regex: '^(@aws-sdk|@smithy|@aws-lambda-powertools|@middy|aws-lambda|aws-cdk-lib|constructs)(/|$)',
  message: 'The pure layers take no AWS dependency: put the call in functions/data or functions/runtime, behind a port.',
};
/** Modules that do I/O or start processes; node:crypto and node:util stay allowed (pure helpers). */
const NODE_IO = {
  regex: '^(node:)?(fs|fs/promises|child_process|net|http|https|http2|dgram|dns|tls|cluster|worker_threads|readline)$',
  message: 'The pure layers do no I/O: take the data as an argument, or put the reading in an adapter.',
};
const CDK = {
  regex: '^(\\.\\./)+lib/',
  message: 'Lambda code does not import the CDK app; lib/ imports from functions/, not the other way round.',
};
const capabilityRule = (/** @type {string[]} */ allowed) => ({
  regex: folderImport(CAPABILITIES.filter((c) => !allowed.includes(c))),
  message: 'Capabilities (handler folders) do not import each other: move what they share to core, data or runtime.',
});
const restrict = (/** @type {object[]} */ ...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const boundaries = [
  { files: ['functions/**/*.ts'], rules: restrict(CDK, capabilityRule([])) },
  ...CAPABILITIES.map((capability) => ({
    files: [`functions/${capability}/**/*.ts`],
    rules: restrict(CDK, capabilityRule([capability])),
  })),
  {
    files: ['functions/core/**/*.ts'],
    rules: restrict(
      AWS,
      NODE_IO,
      CDK,
      capabilityRule([]),
      {
        regex: folderImport(['data', 'runtime', 'pages']),
        message: 'core is the pure domain: it imports no data, runtime or pages code (they import core).',
      },
      { regex: '^\\./pages/', message: 'core does not import pages (pages import core).' },
    ),
  },
  {
    files: ['functions/mail/**/*.ts'],
    rules: restrict(AWS, NODE_IO, CDK, capabilityRule([]), {
      regex: folderImport(['data', 'pages']),
      message: 'The mail pipeline reaches its data through the MailStore port: it never imports data code.',
    }),
  },
  {
    files: ['functions/pages/**/*.ts'],
    rules: restrict(AWS, NODE_IO, CDK, capabilityRule([]), {
      regex: folderImport(['data', 'runtime']),
      message: 'Pages render plain data: they import core, never data or runtime.',
    }),
  },
];

export default defineConfig(
  { ignores: ['node_modules/', 'cdk.out/', '.local-data/', 'coverage/', 'docs/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names mark what a signature needs but the body does not.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // An async function that satisfies a Promise-returning port (a route's handle, a fake) need not await;
      // no-floating-promises and no-misused-promises catch the mistakes that matter.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests and benchmarks read untyped JSON replies and build partial fakes: the assertions are the type check.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // This file is plain JavaScript: no type information for it.
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  ...boundaries,
);

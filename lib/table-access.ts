import { buildOptionsOf } from './bundling.ts';
import type { FunctionSpec } from './manifest.ts';

/**
 * What a function may do to the table, as IAM actions: the manifest declares each function's list
 * (`access.table`), FeedbackFunction grants exactly those, and `test/infra/table-access.test.ts` derives the list
 * from the function's bundle and requires it to be equal. Scan is not among them: only admin scripts scan.
 */

/** The table operations a function may be granted; each is the IAM action `dynamodb:<operation>`. */
export const TABLE_OPERATIONS = [
  'GetItem',
  'BatchGetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'ConditionCheckItem',
  'BatchWriteItem',
] as const;
export type TableOperation = (typeof TABLE_OPERATIONS)[number];

/** The only operation that reads the secondary indexes: it alone is granted on `<table ARN>/index/*`. */
export const INDEX_OPERATIONS: readonly TableOperation[] = ['Query'];

/**
 * The IAM actions each SDK call needs. IAM has no action for a transaction as a whole: each item of a
 * TransactWriteItems is authorised as its own PutItem, UpdateItem, DeleteItem or ConditionCheckItem, and each item
 * of a TransactGetItems as a GetItem ("Using IAM with DynamoDB transactions",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html). So transactions
 * are not here: their items are (TRANSACTION_ITEM_ACTIONS).
 */
export const COMMAND_ACTIONS: Readonly<Record<string, string>> = {
  GetCommand: 'GetItem',
  GetItemCommand: 'GetItem',
  PutCommand: 'PutItem',
  PutItemCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  UpdateItemCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  DeleteItemCommand: 'DeleteItem',
  QueryCommand: 'Query',
  paginateQuery: 'Query',
  ScanCommand: 'Scan',
  paginateScan: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchGetItemCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  BatchWriteItemCommand: 'BatchWriteItem',
};

/** The kinds of item inside TransactItems and the action each is authorised as. */
export const TRANSACTION_ITEM_ACTIONS = {
  write: { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' },
  get: { Get: 'GetItem' },
} as const;

/** The transaction commands, whose items (not themselves) need permissions. */
export const TRANSACTION_COMMANDS: Readonly<Record<string, keyof typeof TRANSACTION_ITEM_ACTIONS>> = {
  TransactWriteCommand: 'write',
  TransactWriteItemsCommand: 'write',
  TransactGetCommand: 'get',
  TransactGetItemsCommand: 'get',
};

/** The SDK packages whose commands reach the table. */
export const DYNAMODB_MODULES = ['@aws-sdk/lib-dynamodb', '@aws-sdk/client-dynamodb'];

/**
 * The table operations the code of one bundle can perform, from its text (esbuild output, tree-shaken, not
 * minified, with the DynamoDB SDK left external so its imports stay visible): every SDK command or paginator its
 * code refers to, under whatever local name esbuild gave the import, and for transactions the kinds of item
 * (`Put:`, `Update:`, …) the bundle's code writes. Sorted; may include `Scan`, which no function may be granted.
 */
export function tableOperationsIn(bundle: string): string[] {
  const localNames = new Map<string, string>();
  const importPattern = /import\s*\{([^}]*)\}\s*from\s*["']([^"']+)["']/g;
  let namedImports = 0;
  for (const [, names, module] of bundle.matchAll(importPattern)) {
    if (!DYNAMODB_MODULES.includes(module!)) continue;
    namedImports++;
    for (const name of names!.split(',')) {
      const [imported, local = imported] = name.trim().split(/\s+as\s+/);
      if (imported) localNames.set(local!, imported);
    }
  }
  // A namespace import, a dynamic import or a require would hide which commands are used: refuse to guess.
  const mentions = DYNAMODB_MODULES.reduce((n, module) => n + bundle.split(`"${module}"`).length - 1, 0);
  if (mentions !== namedImports) {
    throw new Error(`The DynamoDB SDK is loaded other than by named imports: the table operations cannot be derived.`);
  }
  // esbuild keeps every name imported from an external module, used or not: a name counts once code refers to it
  // (constructed, called, or passed on), so a command cannot hide behind an alias.
  const code = bundle.replace(importPattern, '');
  const operations = new Set<string>();
  const transactions = new Set<keyof typeof TRANSACTION_ITEM_ACTIONS>();
  for (const [local, imported] of localNames) {
    if (!new RegExp(`(?<![\\w$.])${local.replace(/\$/g, '\\$')}(?![\\w$])`).test(code)) continue;
    const action = COMMAND_ACTIONS[imported];
    const transaction = TRANSACTION_COMMANDS[imported];
    if (action) operations.add(action);
    else if (transaction) transactions.add(transaction);
  }
  for (const kind of transactions) {
    for (const [item, action] of Object.entries(TRANSACTION_ITEM_ACTIONS[kind])) {
      if (new RegExp(`(?<![\\w$.])${item}\\s*:`).test(code)) operations.add(action);
    }
  }
  return [...operations].sort();
}

/**
 * The table operations of a function's bundle: bundled with the stack's options (tree-shaken like the deployed
 * bundle, so code the function cannot reach is not counted), only not minified and with the DynamoDB SDK external.
 */
export async function deriveTableOperations(spec: Pick<FunctionSpec, 'entry' | 'access'>): Promise<string[]> {
  const { build } = await import('esbuild');
  const options = buildOptionsOf(spec, 'index.mjs');
  const result = await build({
    ...options,
    minify: false,
    sourcemap: false,
    external: [...(options.external ?? []), ...DYNAMODB_MODULES],
    write: false,
  });
  return tableOperationsIn(
    result.outputFiles
      .filter((file) => file.path.endsWith('.mjs'))
      .map((file) => file.text)
      .join('\n'),
  );
}

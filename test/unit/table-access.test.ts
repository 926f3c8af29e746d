import { describe, expect, it } from 'vitest';
import { tableOperationsIn } from '../../lib/table-access.ts';

/** Bundle text as esbuild writes it (not minified, the DynamoDB SDK external), cut down to what the scanner reads. */
const bundle = (...lines: string[]) => lines.join('\n');
const LIB = '"@aws-sdk/lib-dynamodb"';

describe('the table operations a bundle performs', () => {
  it('counts each command it constructs, under the local name esbuild gave its import', () => {
    const code = bundle(
      `import { GetCommand as GetCommand2, PutCommand as PutCommand2, QueryCommand } from ${LIB};`,
      `import { UpdateCommand } from ${LIB};`,
      'const item = await db.client.send(new GetCommand2({ TableName, Key }));',
      'await db.client.send(new UpdateCommand({ TableName, Key }));',
    );
    // PutCommand2 and QueryCommand are imported (esbuild keeps external imports) but never constructed.
    expect(tableOperationsIn(code)).toEqual(['GetItem', 'UpdateItem']);
  });

  it('counts a command passed on rather than constructed in place', () => {
    const code = bundle(
      `import { DeleteCommand } from ${LIB};`,
      'const send = (Command) => client.send(new Command(input));',
      'await send(DeleteCommand);',
    );
    expect(tableOperationsIn(code)).toEqual(['DeleteItem']);
  });

  it('counts the paginators and the toolkit helpers built on them as Query and Scan', () => {
    const code = bundle(
      `import { paginateQuery, paginateScan, BatchGetCommand, BatchWriteCommand } from ${LIB};`,
      'for await (const page of paginateQuery({ client }, input)) yield page;',
      'for await (const page of paginateScan({ client }, input)) yield page;',
      'await client.send(new BatchGetCommand({ RequestItems }));',
      'await client.send(new BatchWriteCommand({ RequestItems }));',
    );
    expect(tableOperationsIn(code)).toEqual(['BatchGetItem', 'BatchWriteItem', 'Query', 'Scan']);
  });

  it('counts a write transaction as the kinds of item it holds, and nothing for the transaction itself', () => {
    const code = bundle(
      `import { TransactWriteCommand } from ${LIB};`,
      'const check = { ConditionCheck: { TableName, Key, ConditionExpression } };',
      'await client.send(new TransactWriteCommand({ TransactItems: [check, { Put: put }, { Delete: { TableName, Key } }] }));',
    );
    expect(tableOperationsIn(code)).toEqual(['ConditionCheckItem', 'DeleteItem', 'PutItem']);
  });

  it('counts a read transaction as GetItem', () => {
    const code = bundle(`import { TransactGetCommand } from ${LIB};`, 'new TransactGetCommand({ TransactItems: [{ Get: g }] });');
    expect(tableOperationsIn(code)).toEqual(['GetItem']);
  });

  it('does not read item kinds where no transaction is sent', () => {
    const code = bundle(`import { PutCommand } from ${LIB};`, 'const labels = { Update: "u", Delete: "d" };');
    expect(tableOperationsIn(code)).toEqual([]);
  });

  it('reads the low-level client too, and ignores other packages', () => {
    const code = bundle(
      'import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";',
      'import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";',
      'new DeleteItemCommand(input); new GetSecretValueCommand(input);',
    );
    expect(tableOperationsIn(code)).toEqual(['DeleteItem']);
  });

  it.each([
    ['a namespace import', `import * as ddb from ${LIB};`],
    ['a dynamic import', `const ddb = await import(${LIB});`],
    ['a require', `const ddb = require(${LIB});`],
  ])('refuses to guess through %s', (_kind, line) => {
    expect(() => tableOperationsIn(bundle(line, 'new ddb.ScanCommand(input);'))).toThrow(/cannot be derived/);
  });
});

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteCommand, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BadRow } from '../../functions/core/imports.ts';
import { customerUpdate } from '../../functions/data/customers.ts';
import { keys } from '../../functions/data/keys.ts';
import { unsubscribeCustomer } from '../../functions/data/mail-ledger.ts';
import { differences, recountScores, storedAggregates } from '../../functions/data/score-recount.ts';
import { tableFromEnv } from '../../functions/runtime/wiring.ts';
import { runImport, type ImportKind } from '../../scripts/import-run.ts';
import { useApi } from '../support/api.ts';
import { aCustomer, givenCustomer, givenSurvey, uniqueId } from '../support/factories.ts';
import { useScoringStack, within } from '../support/scoring-stack.ts';

/** `npm run import` against a table of this file's own, scored by the stream scorer as `npm start` does. */
const stack = useScoringStack();
const api = useApi();
const db = tableFromEnv();

const lines = (...rows: Array<string | Buffer>) =>
  Buffer.concat(rows.map((r) => (typeof r === 'string' ? Buffer.from(`${r}\n`) : Buffer.concat([r, Buffer.from('\n')]))));
const NOT_UTF8 = Buffer.from([0x63, 0x33, 0x2c, 0xff, 0xfe]);

async function importFile(kind: ImportKind, format: 'csv' | 'jsonl', bytes: Uint8Array) {
  const bad: BadRow[] = [];
  const summary = await runImport({ db, kind, format, bytes, report: (row) => bad.push(row) });
  if ('header' in summary) throw new Error(summary.header);
  return { ...summary, bad, lines: bad.map((b) => b.line) };
}

const countOf = async (type: string) => {
  let count = 0;
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await db.client.send(
      new ScanCommand({
        TableName: db.table,
        FilterExpression: '#type = :type',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':type': type },
        Select: 'COUNT',
        ExclusiveStartKey,
        ConsistentRead: true,
      }),
    );
    count += page.Count ?? 0;
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return count;
};
/** The command as a user runs it, in its own process (not blocking this one: the API server runs here). */
const importCommand = (...args: string[]) =>
  new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/import.ts', ...args], { env: process.env }, (error, stdout, stderr) =>
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
const stored = async (customerId: string) =>
  (await db.client.send(new GetCommand({ TableName: db.table, Key: keys.customer(customerId), ConsistentRead: true }))).Item!;

describe('npm run import -- customers', () => {
  it('CSV: imports the good rows, reports each bad one by line, and a rerun changes nothing', async () => {
    const [a, b, c] = [uniqueId('ic'), uniqueId('ic'), uniqueId('ic')];
    const file = lines(
      'customerId,email,name,locale,birthday,attributes',
      `${a},${a}@example.com,"Ana, ""the first""",sr-Cyrl,05-17,"{""plan"":""pro""}"`, // 2
      `${b},not-an-email,Bo,en,,`, // 3: invalid email
      NOT_UTF8, // 4: not UTF-8
      `${c},${c}@example.com,Cy,en,02-30,`, // 5: no such date
      `${a},${a}@example.com,Again,en,,`, // 6: duplicate id
      `${c},${c}@example.com,Cy,en`, // 7: a cell short
      `${c},${c}@example.com,Cy,en,,`, // 8
    );
    const first = await importFile('customers', 'csv', file);
    expect(first.lines).toEqual([3, 4, 5, 6, 7]);
    expect(first.bad[0]!.reasons).toEqual([expect.stringMatching(/^email: /)]);
    expect(first.bad[1]!.reasons).toEqual(['The line is not valid UTF-8.']);
    expect(first.bad[2]!.reasons).toEqual(['birthday: This date does not exist.']);
    expect(first.bad[3]!.reasons).toEqual([`Duplicate of line 2 (customerId ${a}).`]);
    expect(first).toMatchObject({ rows: 7, created: 2, updated: 0, unchanged: 0 });
    const before = await api.request('GET', `/v1/customers/${a}`, { admin: true });
    expect(before.body.customer).toMatchObject({ name: 'Ana, "the first"', locale: 'sr-Cyrl', attributes: { plan: 'pro' } });

    const customers = await countOf('customer');
    const again = await importFile('customers', 'csv', file);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2, lines: [3, 4, 5, 6, 7] });
    expect(await countOf('customer')).toBe(customers);
    expect((await stored(a)).updatedAt).toBe(before.body.customer.updatedAt);
  });

  it('JSONL: the body of PUT /v1/customers/{id} with its customerId, bad lines reported', async () => {
    const [a, b] = [uniqueId('ij'), uniqueId('ij')];
    const file = lines(
      JSON.stringify({ customerId: a, ...aCustomer() }),
      '{"customerId": "x", "email": ', // 2: broken JSON
      JSON.stringify({ customerId: b, email: `${b}@example.com`, favourite: 'blue' }), // 3: unknown field
      '', // 4: blank, skipped
      JSON.stringify({ customerId: 'has space', email: 'ok@example.com' }), // 5
      JSON.stringify({ customerId: b, email: `${b}@example.com`, timezone: 'Mars/Olympus' }), // 6
    );
    const first = await importFile('customers', 'jsonl', file);
    expect(first.lines).toEqual([2, 3, 5, 6]);
    expect(first.bad[0]!.reasons).toEqual(['The line is not valid JSON.']);
    expect(first.bad[3]!.reasons).toEqual([expect.stringMatching(/^timezone: /)]);
    expect(first.created).toBe(1);
    const again = await importFile('customers', 'jsonl', file);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
  });

  it('writes the item the API writes: every index, the same attributes', async () => {
    const [viaImport, viaApi] = [uniqueId('shape'), uniqueId('shape')];
    const body = aCustomer({ birthday: '1990-02-28' });
    await importFile('customers', 'jsonl', lines(JSON.stringify({ customerId: viaImport, ...body })));
    await db.client.send(new UpdateCommand(customerUpdate(db, viaApi, body, new Date().toISOString())));
    const [imported, put] = [await stored(viaImport), await stored(viaApi)];
    expect(Object.keys(imported).sort()).toEqual(Object.keys(put).sort());
    expect(imported).toMatchObject({ gsi1pk: put.gsi1pk, gsi1sk: viaImport, unsubscribed: false });
    expect(imported.gsi3sk).toMatch(new RegExp(`#${viaImport}$`));
    expect(imported).toMatchObject({ gsi4pk: put.gsi4pk, gsi4sk: viaImport });
    const same = (item: Record<string, unknown>) => ({
      ...item,
      pk: 0,
      sk: 0,
      customerId: 0,
      gsi1sk: 0,
      gsi3pk: 0,
      gsi3sk: 0,
      gsi4sk: 0,
      createdAt: 0,
      updatedAt: 0,
    });
    expect(same(imported)).toEqual(same(put));
  });

  it("keeps an existing customer's opt-out when it changes their profile", async () => {
    const id = await givenCustomer(api, { name: 'Old name' });
    const email = (await stored(id)).email as string;
    expect(await unsubscribeCustomer(db, id, new Date().toISOString())).toBe(true);
    const result = await importFile('customers', 'jsonl', lines(JSON.stringify({ customerId: id, email, name: 'New name' })));
    expect(result).toMatchObject({ created: 0, updated: 1 });
    const after = await api.request('GET', `/v1/customers/${id}`, { admin: true });
    expect(after.body.customer).toMatchObject({ name: 'New name', unsubscribed: true });
    expect(after.body.customer.birthday).toBeUndefined(); // PUT semantics: what the row leaves out goes
    expect(await stored(id)).toMatchObject({ unsubscribed: true, unsubscribedAt: expect.any(String) });
  });
});

describe('npm run import -- responses', () => {
  const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

  it('JSONL and CSV: the survey must exist and ask the question; each bad row by line; reruns add nothing', async () => {
    const surveyId = await givenSurvey(api, { questions: ['nps', 'comment'] });
    const customer = uniqueId('rc');
    // One string for lines 1 and 6: two calls of day() may fall in different milliseconds, and then differ.
    const answered = JSON.stringify({ surveyId, customerId: customer, nps: 9, comment: 'fine', submittedAt: day(3) });
    const jsonl = lines(
      answered,
      JSON.stringify({ surveyId, customerId: customer, csat: 4, submittedAt: day(2) }), // 2: not asked
      JSON.stringify({ surveyId: 'no-such-survey', nps: 9, submittedAt: day(2) }), // 3: no survey
      JSON.stringify({ surveyId, nps: 9, submittedAt: new Date(Date.now() + 3_600_000).toISOString() }), // 4: future
      JSON.stringify({ surveyId, nps: 9 }), // 5: no submittedAt
      answered, // 6: the same row
      JSON.stringify({ surveyId, nps: 7, channel: 'web', submittedAt: day(1) }),
    );
    const first = await importFile('responses', 'jsonl', jsonl);
    expect(first.lines).toEqual([2, 3, 4, 5, 6]);
    expect(first.bad[0]!.reasons).toEqual(['csat: This survey does not ask "csat".']);
    expect(first.bad[1]!.reasons).toEqual(['surveyId: Survey "no-such-survey" does not exist.']);
    expect(first.bad[4]!.reasons).toEqual([expect.stringMatching(/^Duplicate of line 1 \(response [0-9A-Z]{26}\)\.$/)]);
    expect(first.created).toBe(2);

    const csv = lines(
      'surveyId,customerId,submittedAt,nps,comment',
      `${surveyId},${customer},${day(4)},10,"two\nlines"`, // 2–3
      `${surveyId},${customer},${day(4)},eleven,`, // 4
      NOT_UTF8, // 5
      `${surveyId},${customer},"${day(4)}`, // 6: quote never closed
    );
    const fromCsv = await importFile('responses', 'csv', csv);
    expect(fromCsv.lines).toEqual([4, 5, 6]);
    expect(fromCsv.bad[2]!.reasons).toEqual(['A quoted cell is not closed.']);
    expect(fromCsv.created).toBe(1);

    const responses = await countOf('response');
    expect(await importFile('responses', 'jsonl', jsonl)).toMatchObject({ created: 0, unchanged: 2 });
    expect(await importFile('responses', 'csv', csv)).toMatchObject({ created: 0, unchanged: 1 });
    expect(await countOf('response')).toBe(responses);
    const listed = await api.request('GET', `/v1/surveys/${surveyId}/responses`, { admin: true });
    expect(listed.body.items).toHaveLength(3);
  });

  it('a CSV export imports back, and the scorer counts it again', async () => {
    const surveyId = await givenSurvey(api, { questions: ['nps', 'csat', 'comment'], segmentBy: ['plan'] });
    const answers = [
      { customerId: uniqueId('rt'), nps: 10, csat: 5, comment: '=HYPERLINK("x"), and "quotes"', attributes: { plan: 'pro' } },
      { customerId: uniqueId('rt'), nps: 3, comment: 'line one\r\nline two', channel: 'email' },
      { nps: 8, csat: 2, channel: '+web', attributes: { plan: '-free', region: 'eu' } },
    ];
    for (const [i, answer] of answers.entries()) {
      const res = await api.request('POST', '/v1/responses', {
        admin: true,
        body: { surveyId, submittedAt: day(i + 1), ...answer },
      });
      expect(res.status).toBe(201);
    }
    const listing = async () => (await api.request('GET', `/v1/surveys/${surveyId}/responses`, { admin: true })).body.items;
    const original = await listing();
    const exported = await api.request('GET', `/v1/surveys/${surveyId}/responses`, {
      admin: true,
      headers: { accept: 'text/csv' },
    });
    expect(exported.status).toBe(200);
    await stack.drained();

    // Gone, as if never given; the scorer takes them out again.
    for (const r of original) await db.client.send(new DeleteCommand({ TableName: db.table, Key: keys.response(r.responseId) }));
    expect(await listing()).toEqual([]);
    const file = join(mkdtempSync(join(tmpdir(), 'import-')), 'export.csv');
    writeFileSync(file, exported.text);

    // The command itself, as a user runs it.
    const run = await importCommand('responses', file);
    expect(run.stderr).toMatch(/3 rows: 3 created, 0 updated, 0 unchanged, 0 bad/);
    expect(run.status).toBe(0);

    const restored = await listing();
    // Answers, ids, customers, times, channels, attributes as exported; when the service received them is new.
    const comparable = (items: Array<Record<string, unknown>>) => items.map(({ receivedAt: _r, createdAt: _c, ...rest }) => rest);
    expect(comparable(restored)).toEqual(comparable(original));

    await stack.drained();
    const { value: scores } = await within(
      5_000,
      () =>
        api.request('GET', `/v1/surveys/${surveyId}/scores?from=${day(4).slice(0, 10)}&to=${day(0).slice(0, 10)}`, {
          admin: true,
        }),
      (r) => r.body.total?.responses === 3,
    );
    expect(scores.body.total).toMatchObject({ responses: 3, nps: { promoters: 1, detractors: 1 } });
    const recount = await recountScores(db, { surveyIds: [surveyId] });
    expect(recount.responses).toBe(3);
    const { current } = await storedAggregates(db, { surveyId });
    expect(differences(recount.buckets, current)).toEqual([]);

    const rerun = await importCommand('responses', file);
    expect(rerun.stderr).toMatch(/3 rows: 0 created, 0 updated, 3 unchanged, 0 bad/);
  });
});

import { describe, expect, it } from 'vitest';
import { toCsv } from '../../functions/core/csv.ts';
import {
  BadHeader,
  csvRecords,
  CUSTOMER_COLUMNS,
  customerRow,
  decodeLines,
  jsonlRecords,
  RESPONSE_IMPORT_COLUMNS,
  responseRow,
  withoutDuplicates,
  type CustomerRow,
  type ResponseRow,
} from '../../functions/core/imports.ts';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('reading an import file', () => {
  it('numbers lines from 1, drops a BOM and reports a line that is not UTF-8 on its own', () => {
    const lines = decodeLines(bytes('\ufeffa\r\n', [0x62, 0xff, 0x0a], 'c\n'));
    expect(lines).toEqual([
      { line: 1, text: 'a', eol: '\r\n' },
      { line: 2, text: undefined, eol: '\n' },
      { line: 3, text: 'c', eol: '\n' },
    ]);
  });

  it('JSONL: one object a line, bad lines by number', () => {
    const records = jsonlRecords(bytes('{"a":1}\n\n{oops\n[1]\n', [0xc3, 0x28], '\n{"b":2}\n'));
    expect(records).toEqual([
      { line: 1, fields: { a: 1 } },
      { line: 3, problem: 'The line is not valid JSON.' },
      { line: 4, problem: 'Each line must be one JSON object.' },
      { line: 5, problem: 'The line is not valid UTF-8.' },
      { line: 6, fields: { b: 2 } },
    ]);
  });

  it('CSV: quoted cells across lines, doubled quotes, records by the line they start on', () => {
    const file = bytes(
      'customerId,email,name\r\nc1,a@example.com,"Ann ""A"", Jr\r\nline two"\nc2,b@example.com\nc3,x@example.com,\n',
    );
    expect(csvRecords(file, CUSTOMER_COLUMNS, ['customerId'])).toEqual([
      { line: 2, fields: { customerId: 'c1', email: 'a@example.com', name: 'Ann "A", Jr\r\nline two' } },
      { line: 4, problem: 'Expected 3 cells as in the header, found 2.' },
      { line: 5, fields: { customerId: 'c3', email: 'x@example.com' } },
    ]);
  });

  it('CSV: an unknown or missing column refuses the whole file', () => {
    expect(() => csvRecords(bytes('customerId,mail\n'), CUSTOMER_COLUMNS, ['customerId'])).toThrow(BadHeader);
    expect(() => csvRecords(bytes('name\n'), CUSTOMER_COLUMNS, ['customerId'])).toThrow(/Missing columns: customerId/);
    expect(() => csvRecords(bytes(''), CUSTOMER_COLUMNS, [])).toThrow(/empty/);
  });

  it('reads back what the CSV export writes, formulas neutralised and all', () => {
    const row = {
      responseId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
      surveyId: 's1',
      customerId: 'c1',
      submittedAt: '2026-11-01T10:00:00.000Z',
      receivedAt: '2026-11-01T10:00:01.000Z',
      nps: 9,
      comment: '=1+1, "quoted"\nand a second line',
      attributes: { plan: '+pro' },
    };
    const [record] = csvRecords(bytes(toCsv(RESPONSE_IMPORT_COLUMNS, [row])), RESPONSE_IMPORT_COLUMNS, ['surveyId']);
    const parsed = responseRow(record as { line: number; fields: Record<string, unknown> }, 'csv', NOW);
    expect(parsed).toEqual({
      line: 2,
      responseId: row.responseId,
      submittedAt: row.submittedAt,
      input: {
        surveyId: 's1',
        customerId: 'c1',
        submittedAt: row.submittedAt,
        nps: 9,
        comment: row.comment,
        attributes: row.attributes,
      },
    });
  });
});

describe('import rows are checked as the API checks them', () => {
  it('customers: the body schema and the id, every reason given', () => {
    expect(customerRow({ line: 7, fields: { customerId: 'bad id', email: 'nope' } }, 'jsonl')).toMatchObject({
      line: 7,
      reasons: [expect.stringMatching(/^customerId: /), 'email: Invalid email address'], // what was wrong, not "Invalid input"
    });
    expect(customerRow({ line: 2, fields: { customerId: 'c1', email: 'a@example.com', attributes: '{x' } }, 'csv')).toEqual({
      line: 2,
      reasons: ['attributes: Use a JSON object.'],
    });
    expect(
      customerRow({ line: 2, fields: { customerId: 'c1', email: 'a@example.com', attributes: '{"plan":"pro"}' } }, 'csv'),
    ).toEqual({ line: 2, customerId: 'c1', input: { email: 'a@example.com', attributes: { plan: 'pro' } } });
  });

  it('responses: submittedAt required, not in the future, not before 2000; no tokens; scale cells are numbers', () => {
    const reasons = (fields: Record<string, unknown>) =>
      (responseRow({ line: 3, fields }, 'jsonl', NOW) as { reasons?: string[] }).reasons;
    expect(reasons({ surveyId: 's1', nps: 9 })).toEqual(['submittedAt: An imported response needs the time it was given.']);
    expect(reasons({ surveyId: 's1', nps: 9, submittedAt: '2026-12-01T00:00:00Z' })).toEqual([
      'submittedAt: submittedAt is in the future.',
    ]);
    expect(reasons({ surveyId: 's1', nps: 9, submittedAt: '1999-12-31T00:00:00Z' })).toEqual([
      'submittedAt: submittedAt must be on or after 2000-01-01.',
    ]);
    expect(reasons({ surveyId: 's1', nps: 9, token: 't', submittedAt: '2026-11-01T00:00:00Z' })).toEqual([
      'token: An import names the customer by customerId, not a link token.',
    ]);
    expect(reasons({ surveyId: 's1', nps: 11, submittedAt: '2026-11-01T00:00:00Z' })).toEqual([expect.stringMatching(/^nps: /)]);
    const csv = responseRow({ line: 2, fields: { surveyId: 's1', nps: 'ten', submittedAt: '2026-11-01T00:00:00Z' } }, 'csv', NOW);
    expect(csv).toMatchObject({ reasons: [expect.stringMatching(/^nps: /)] });
  });

  it('responses: the same row always gets the same id; another answer another', () => {
    const fields = { surveyId: 's1', customerId: 'c1', nps: 9, submittedAt: '2026-11-01T10:00:00+02:00' };
    const a = responseRow({ line: 2, fields }, 'jsonl', NOW) as ResponseRow;
    const b = responseRow({ line: 9, fields: { ...fields } }, 'jsonl', NOW) as ResponseRow;
    const c = responseRow({ line: 9, fields: { ...fields, nps: 8 } }, 'jsonl', NOW) as ResponseRow;
    expect(a.responseId).toMatch(/^[0-9A-Z]{26}$/);
    expect(b.responseId).toBe(a.responseId);
    expect(c.responseId).not.toBe(a.responseId);
    expect(a.submittedAt).toBe('2026-11-01T08:00:00.000Z');
  });

  it('a repeated id is a bad row naming the first', () => {
    const rows = [2, 3, 4].map((line) => ({ line, customerId: line === 3 ? 'other' : 'c1', input: { email: 'a@example.com' } }));
    const { rows: kept, bad } = withoutDuplicates(rows as CustomerRow[]);
    expect(kept.map((r) => r.line)).toEqual([2, 3]);
    expect(bad).toEqual([{ line: 4, reasons: ['Duplicate of line 2 (customerId c1).'] }]);
  });
});

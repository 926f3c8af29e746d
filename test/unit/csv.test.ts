import { describe, expect, it } from 'vitest';
import { spreadsheetSafe, toCsv } from '../../functions/core/csv.ts';

/**
 * Reads CSV the way a lenient spreadsheet does: quoted fields may hold anything, but outside quotes any of
 * \r\n, \r or \n ends the record. (csv-parse is not a dependency; this is enough to see where rows break.)
 */
function spreadsheetRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      cell += ch;
      i++;
      continue;
    }
    if (ch === '"' && cell === '') {
      quoted = true;
      i++;
      continue;
    }
    if (ch === ',') {
      row.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      continue;
    }
    cell += ch;
    i++;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const COLUMNS = ['id', 'comment', 'after'] as const;

describe('toCsv', () => {
  it.each([
    ['a bare LF', 'great\n=1+1'],
    ['a CRLF', 'great\r\n=1+1'],
    ['a bare CR', 'great\r=1+1'],
    ['a line break then spaces', 'ok\n   +SUM(A1:A2)'],
    ['a line break then a tab', 'ok\n\t@cmd'],
    ['a trailing line break', 'fine\n'],
  ])('keeps a comment with %s inside one quoted cell', (_, comment) => {
    const csv = toCsv(COLUMNS, [
      { id: 'r1', comment, after: 'x' },
      { id: 'r2', comment: 'plain', after: 'y' },
    ]);
    const body = csv;
    // The field is quoted in the raw text.
    expect(body).toContain(`,"${spreadsheetSafe(comment)}",x\r\n`);
    // And a spreadsheet sees exactly the header and two records, three cells each, no cell starting a formula.
    const rows = spreadsheetRows(csv);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toHaveLength(3);
      for (const cell of row) expect(cell).not.toMatch(/^\s*[=+\-@]/);
    }
    expect(rows.map((r) => r[0])).toEqual(['id', 'r1', 'r2']);
  });

  it.each([['=1+1'], [' =1+1'], ['   +1'], ['\t=cmd'], ['\t\t-2+3'], [' \t @SUM(A1)'], ['\r=x'], ['\n=x'], ['-1'], ['@x']])(
    'neutralises a formula start in %j',
    (comment) => {
      expect(spreadsheetSafe(comment)).toBe(`'${comment}`);
      const rows = spreadsheetRows(toCsv(COLUMNS, [{ id: 'r1', comment, after: 'x' }]));
      expect(rows).toHaveLength(2);
      expect(rows[1]).toEqual(['r1', `'${comment}`, 'x']);
    },
  );

  it('leaves ordinary text, numbers and empty cells alone', () => {
    expect(spreadsheetSafe('great service')).toBe('great service');
    expect(spreadsheetSafe('a = b')).toBe('a = b');
    expect(spreadsheetSafe(-5)).toBe(-5);
    expect(spreadsheetSafe(undefined)).toBeNull();
    const csv = toCsv(COLUMNS, [{ id: 'r1', comment: 'a, "b"', after: 3 }]);
    expect(csv).toBe('id,comment,after\r\nr1,"a, ""b""",3\r\n');
  });
});

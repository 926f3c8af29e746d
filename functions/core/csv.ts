import { stringify } from 'csv-stringify/sync';

/**
 * CSV that opens safely in a spreadsheet: a cell that starts like a formula (= + - @, tab, carriage return, line
 * feed) is prefixed with an apostrophe, so Excel and Sheets show it as text instead of running it (OWASP CSV
 * injection). Leading whitespace does not hide a formula: spreadsheets trim it, so " =1+1" and "\t=1+1" count too.
 */
const FORMULA_START = /^(?:[\t\r\n]|\s*[=+\-@])/;

/**
 * csv-stringify quotes a field for a delimiter, a quote or the record delimiter; with 'windows' that is only the
 * pair \r\n, so a bare \n or \r would be written unquoted and a spreadsheet would start a new row there (a row it
 * never checked for a formula start). Every field holding a line break is quoted.
 */
const LINE_BREAK = /[\r\n]/;

export const spreadsheetSafe = (value: unknown): string | number | boolean | null => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
};

/**
 * A header row, then one row per record, CRLF line ends (RFC 4180). No byte-order mark: the header's first cell is
 * `responseId` to every CSV reader, and the response's `charset=utf-8` says the encoding.
 */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  return stringify(
    rows.map((row) => columns.map((column) => spreadsheetSafe(row[column]))),
    {
      header: true,
      columns: columns.map((c, index) => ({ key: String(index), header: c })),
      record_delimiter: 'windows',
      quoted_match: LINE_BREAK,
    },
  );
}

/**
 * The cell as it was before `spreadsheetSafe`, for reading an export back: the apostrophe it put before a formula
 * start goes. (A text that itself began with an apostrophe and then a formula start cannot be told apart.)
 */
export const unspreadsheetSafe = (cell: string): string =>
  cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;

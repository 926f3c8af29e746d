import { stringify } from 'csv-stringify/sync';

/**
 * CSV that opens safely in a spreadsheet: a cell that starts like a formula (= + - @, tab, carriage return) is
 * prefixed with an apostrophe, so Excel and Sheets show it as text instead of running it (OWASP CSV injection).
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export const spreadsheetSafe = (value: unknown): string | number | boolean | null => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
};

/** A header row, then one row per record; a BOM so spreadsheets read it as UTF-8. CRLF line ends (RFC 4180). */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const body = stringify(
    rows.map((row) => columns.map((column) => spreadsheetSafe(row[column]))),
    { header: true, columns: columns.map((c) => ({ key: String(columns.indexOf(c)), header: c })), record_delimiter: 'windows' },
  );
  return `\ufeff${body}`;
}

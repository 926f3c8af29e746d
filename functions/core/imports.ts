import * as z from 'zod/mini';
import { issuesOf } from './validation-messages.ts';
import { unspreadsheetSafe } from './csv.ts';
import type { Issue } from './errors.ts';
import { stableId } from './ids.ts';
import { answersOf, QUESTION_TYPES } from './questions/index.ts';
import { checkSubmittedAt, RESPONSE_CSV_COLUMNS } from './responses.ts';
import { customerBody, customerId, responseBody, type CustomerInput, type ResponseInput } from './schemas.ts';

/**
 * `npm run import`'s rules, pure: a file (CSV with a header row, or JSONL) becomes records, each with the line it
 * starts on; a record becomes a customer or a response by the API's own schemas, or the reasons it cannot.
 */

export type ImportFormat = 'csv' | 'jsonl';

/** One record of a file: its fields, or why it could not be read. `line` is where it starts (1 = the first line). */
export type FileRecord = { line: number; fields: Record<string, unknown> } | { line: number; problem: string };

/** A record that cannot be imported: its line and the reasons, as the API would give them. */
export interface BadRow {
  line: number;
  reasons: string[];
}

const BOM = '\ufeff';

/**
 * Splits the bytes into lines and decodes each strictly as UTF-8: a line that is not UTF-8 is reported on its own
 * (the rest of the file still reads). A leading BOM is dropped; a CRLF line end counts as one.
 */
export interface DecodedLine {
  line: number;
  /** Undefined when the line is not UTF-8. */
  text?: string;
  /** How the line ended: a quoted CSV cell keeps its line breaks as they were. */
  eol: string;
}

export function decodeLines(bytes: Uint8Array): DecodedLine[] {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const lines: DecodedLine[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    let end = i;
    if (end > start && bytes[end - 1] === 0x0d) end--;
    let text: string | undefined;
    try {
      text = decoder.decode(bytes.subarray(start, end));
    } catch {
      text = undefined;
    }
    if (lines.length === 0 && text?.startsWith(BOM)) text = text.slice(1);
    lines.push({ line: lines.length + 1, text, eol: i === bytes.length ? '' : end < i ? '\r\n' : '\n' });
    start = i + 1;
  }
  // A final line end does not start another (empty) line.
  if (lines.length > 1 && lines.at(-1)!.text === '') lines.pop();
  return lines;
}

const NOT_UTF8 = 'The line is not valid UTF-8.';

/** JSONL: one JSON object a line; blank lines are skipped. */
export function jsonlRecords(bytes: Uint8Array): FileRecord[] {
  const records: FileRecord[] = [];
  for (const { line, text } of decodeLines(bytes)) {
    if (text === undefined) records.push({ line, problem: NOT_UTF8 });
    else if (text.trim() === '') continue;
    else {
      try {
        const value: unknown = JSON.parse(text);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) {
          records.push({ line, problem: 'Each line must be one JSON object.' });
        } else records.push({ line, fields: value as Record<string, unknown> });
      } catch {
        records.push({ line, problem: 'The line is not valid JSON.' });
      }
    }
  }
  return records;
}

/** A header that cannot be imported: it is not a row to skip, the whole file is refused. */
export class BadHeader extends Error {
  override name = 'BadHeader';
}

/**
 * CSV (RFC 4180: commas, double quotes doubled inside quoted fields, which may span lines): the first line names
 * the columns, each later record becomes `{ column: cell }` (empty cells left out). A record with another number
 * of cells than the header, or an unterminated quote, is a problem of the line it starts on.
 */
export function csvRecords(
  bytes: Uint8Array,
  allowedColumns: readonly string[],
  requiredColumns: readonly string[],
): FileRecord[] {
  const lines = decodeLines(bytes);
  const rows = csvRows(lines);
  const header = rows.shift();
  if (!header || ('cells' in header && header.cells.join('') === ''))
    throw new BadHeader('The file is empty: expected a header row.');
  if ('problem' in header) throw new BadHeader(`Line 1: ${header.problem}`);
  const columns = header.cells.map((c) => c.trim());
  const unknown = columns.filter((c) => !allowedColumns.includes(c));
  if (unknown.length) throw new BadHeader(`Unknown columns: ${unknown.join(', ')} (known: ${allowedColumns.join(', ')}).`);
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  if (repeated.length) throw new BadHeader(`Columns named twice: ${repeated.join(', ')}.`);
  const missing = requiredColumns.filter((c) => !columns.includes(c));
  if (missing.length) throw new BadHeader(`Missing columns: ${missing.join(', ')}.`);
  return rows.flatMap((row): FileRecord[] => {
    if ('problem' in row) return [row];
    if (row.cells.length === 1 && row.cells[0] === '') return []; // a blank line
    if (row.cells.length !== columns.length) {
      return [{ line: row.line, problem: `Expected ${columns.length} cells as in the header, found ${row.cells.length}.` }];
    }
    const fields: Record<string, unknown> = {};
    columns.forEach((column, i) => {
      if (row.cells[i] !== '') fields[column] = row.cells[i];
    });
    return [{ line: row.line, fields }];
  });
}

type CsvRow = { line: number; cells: string[] } | { line: number; problem: string };

function csvRows(lines: readonly DecodedLine[]): CsvRow[] {
  const rows: CsvRow[] = [];
  let index = 0;
  while (index < lines.length) {
    const first = lines[index]!;
    if (first.text === undefined) {
      rows.push({ line: first.line, problem: NOT_UTF8 });
      index++;
      continue;
    }
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let text = first.text;
    let pos = 0;
    let problem: string | undefined;
    for (;;) {
      if (pos >= text.length) {
        if (!quoted) break;
        // A quoted cell goes on past the line end, which is part of it.
        const eol = lines[index]!.eol;
        index++;
        const next = lines[index];
        if (!next) {
          problem = 'A quoted cell is not closed.';
          break;
        }
        if (next.text === undefined) {
          problem = `Line ${next.line}, inside this record, is not valid UTF-8.`;
          break;
        }
        cell += eol;
        text = next.text;
        pos = 0;
        continue;
      }
      const char = text[pos]!;
      if (quoted) {
        if (char === '"' && text[pos + 1] === '"') {
          cell += '"';
          pos += 2;
        } else if (char === '"') {
          quoted = false;
          pos++;
          if (pos < text.length && text[pos] !== ',') {
            problem = 'A closing quote must end its cell.';
            break;
          }
        } else {
          cell += char;
          pos++;
        }
      } else if (char === ',') {
        cells.push(cell);
        cell = '';
        pos++;
      } else if (char === '"' && cell === '') {
        quoted = true;
        pos++;
      } else {
        cell += char;
        pos++;
      }
    }
    cells.push(cell);
    rows.push(problem ? { line: first.line, problem } : { line: first.line, cells });
    index++;
  }
  return rows;
}

const issueText = (issues: readonly Issue[]) => issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));

/** A cell holding a JSON object (the attributes column), or the reason it is not one. */
function jsonObjectCell(value: unknown, column: string): { value?: unknown; problem?: string } {
  if (typeof value !== 'string') return { value };
  try {
    return { value: JSON.parse(unspreadsheetSafe(value)) };
  } catch {
    return { problem: `${column}: Use a JSON object.` };
  }
}

// ---- Customers ------------------------------------------------------------------------------------------------

export const CUSTOMER_COLUMNS = ['customerId', 'email', 'name', 'locale', 'timezone', 'birthday', 'attributes'] as const;

export type CustomerRow = { line: number; customerId: string; input: CustomerInput };

/** A record as `PUT /v1/customers/{customerId}` would take it: the id and the body (CSV cells are text). */
export function customerRow(
  record: { line: number; fields: Record<string, unknown> },
  format: ImportFormat,
): CustomerRow | BadRow {
  const { customerId: id, ...body } = record.fields;
  const reasons: string[] = [];
  const idResult = z.safeParse(customerId, id);
  if (!idResult.success) reasons.push(...issueText(issuesOf(idResult.error.issues, ['customerId'])));
  if (format === 'csv') {
    for (const [column, cell] of Object.entries(body)) body[column] = unspreadsheetSafe(String(cell));
    if (body.attributes !== undefined) {
      const parsed = jsonObjectCell(record.fields.attributes, 'attributes');
      if (parsed.problem) reasons.push(parsed.problem);
      body.attributes = parsed.value;
    }
  }
  const bodyResult = z.safeParse(customerBody, body);
  if (!bodyResult.success) reasons.push(...issueText(issuesOf(bodyResult.error.issues)));
  if (reasons.length || !bodyResult.success || !idResult.success) return { line: record.line, reasons };
  return { line: record.line, customerId: idResult.data, input: bodyResult.data };
}

// ---- Responses ------------------------------------------------------------------------------------------------

/** A response id as the service makes them (ULID layout, or derived): an export's ids import back as they are. */
const RESPONSE_ID = /^[0-9A-Z]{26}$/;

export type ResponseRow = { line: number; responseId: string; input: ResponseInput; submittedAt: string };

/**
 * A record as `POST /v1/responses` with an ingest key would take it (customerId, submittedAt), with submittedAt
 * required: the response id is the record's own (an export's), or derived from what was answered, by whom and
 * when, so the same row always lands on the same response.
 */
export function responseRow(
  record: { line: number; fields: Record<string, unknown> },
  format: ImportFormat,
  nowMs: number,
): ResponseRow | BadRow {
  const { responseId: givenId, receivedAt: _receivedAt, ...body } = record.fields;
  const reasons: string[] = [];
  if (format === 'csv') {
    for (const [column, cell] of Object.entries(body)) {
      const text = unspreadsheetSafe(String(cell));
      const question = QUESTION_TYPES.find((q) => q.id === column);
      if (column === 'attributes') {
        const parsed = jsonObjectCell(text, column);
        if (parsed.problem) reasons.push(parsed.problem);
        body[column] = parsed.value;
      } else if (question?.kind === 'scale') body[column] = /^\s*-?\d+(\.\d+)?\s*$/.test(text) ? Number(text) : text;
      else body[column] = text;
    }
  }
  if (body.token !== undefined) reasons.push('token: An import names the customer by customerId, not a link token.');
  if (givenId !== undefined && (typeof givenId !== 'string' || !RESPONSE_ID.test(givenId))) {
    reasons.push('responseId: Use a response id as the export gives it (26 letters and digits), or leave it out.');
  }
  if (body.submittedAt === undefined) reasons.push('submittedAt: An imported response needs the time it was given.');
  const parsed = z.safeParse(responseBody, body);
  if (!parsed.success) reasons.push(...issueText(issuesOf(parsed.error.issues)));
  let submittedAt: string | undefined;
  if (parsed.success && body.submittedAt !== undefined) {
    try {
      submittedAt = checkSubmittedAt(parsed.data, true, nowMs);
    } catch (error) {
      reasons.push(...issueText((error as { issues?: Issue[] }).issues ?? [{ path: '', message: String(error) }]));
    }
  }
  if (reasons.length || !parsed.success || !submittedAt) return { line: record.line, reasons };
  const input = parsed.data;
  const responseId =
    (givenId as string | undefined) ??
    stableId(
      'import',
      input.surveyId,
      input.customerId ?? '',
      submittedAt,
      JSON.stringify([answersOf(input), input.channel ?? null, sortedEntries(input.attributes)]),
    );
  return { line: record.line, responseId, input, submittedAt };
}

/** The CSV export's columns: receivedAt is the service's own and is set again on import. */
export const RESPONSE_IMPORT_COLUMNS: readonly string[] = RESPONSE_CSV_COLUMNS;

const sortedEntries = (record: Record<string, string> | undefined) =>
  Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** The key each kind of row must not repeat within one file. */
export const rowKey = (row: CustomerRow | ResponseRow) => ('responseId' in row ? row.responseId : row.customerId);

/** Keeps the first row of each key; later ones are bad rows that name the first's line. */
export function withoutDuplicates<R extends CustomerRow | ResponseRow>(rows: readonly R[]): { rows: R[]; bad: BadRow[] } {
  const seen = new Map<string, number>();
  const kept: R[] = [];
  const bad: BadRow[] = [];
  for (const row of rows) {
    const first = seen.get(rowKey(row));
    const what = 'responseId' in row ? `response ${row.responseId}` : `customerId ${row.customerId}`;
    if (first !== undefined) bad.push({ line: row.line, reasons: [`Duplicate of line ${first} (${what}).`] });
    else {
      seen.set(rowKey(row), row.line);
      kept.push(row);
    }
  }
  return { rows: kept, bad };
}

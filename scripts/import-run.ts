import {
  BadHeader,
  csvRecords,
  CUSTOMER_COLUMNS,
  customerRow,
  jsonlRecords,
  RESPONSE_IMPORT_COLUMNS,
  responseRow,
  withoutDuplicates,
  type BadRow,
  type CustomerRow,
  type FileRecord,
  type ImportFormat,
  type ResponseRow,
} from '../functions/core/imports.ts';
import type { Db } from '../functions/data/db.ts';
import { importCustomers, importResponses, surveyLookup, type ChunkOutcome } from '../functions/data/imports.ts';

/** `npm run import`, without the command line: the bench and the tests run it in their own process. */

export type ImportKind = 'customers' | 'responses';

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  bad: number;
  ms: number;
}

/** Rows a chunk holds (customers: one BatchGet), and how many chunks are written at once. */
export const CHUNK = { customers: 100, responses: 25 } as const;
export const CONCURRENCY = 8;

export async function runImport(options: {
  db: Db;
  kind: ImportKind;
  format: ImportFormat;
  bytes: Uint8Array;
  /** Each bad row, in line order, once every row has been tried. */
  report: (bad: BadRow) => void;
  progress?: (done: number, total: number, final?: boolean) => void;
  now?: () => Date;
}): Promise<ImportSummary | { header: string }> {
  const { db, kind, format, bytes, report, progress = () => {}, now = () => new Date() } = options;
  const started = Date.now();
  let records: FileRecord[];
  try {
    records =
      format === 'jsonl'
        ? jsonlRecords(bytes)
        : kind === 'customers'
          ? csvRecords(bytes, CUSTOMER_COLUMNS, ['customerId', 'email'])
          : csvRecords(bytes, RESPONSE_IMPORT_COLUMNS, ['surveyId', 'submittedAt']);
  } catch (error) {
    if (error instanceof BadHeader) return { header: error.message };
    throw error;
  }

  const bad: BadRow[] = [];
  const checked: Array<CustomerRow | ResponseRow> = [];
  const nowMs = now().getTime();
  for (const record of records) {
    if ('problem' in record) {
      bad.push({ line: record.line, reasons: [record.problem] });
      continue;
    }
    const row = kind === 'customers' ? customerRow(record, format) : responseRow(record, format, nowMs);
    if ('reasons' in row) bad.push(row);
    else checked.push(row);
  }
  const unique = withoutDuplicates(checked);
  bad.push(...unique.bad);

  const total = records.length;
  let done = total - unique.rows.length;
  const outcome: ChunkOutcome = { created: 0, updated: 0, unchanged: 0, bad: [] };
  const chunks: Array<Array<CustomerRow | ResponseRow>> = [];
  for (let i = 0; i < unique.rows.length; i += CHUNK[kind]) chunks.push(unique.rows.slice(i, i + CHUNK[kind]));
  const survey = surveyLookup(db);
  let next = 0;
  progress(done, total);
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        const at = now().toISOString();
        const result =
          kind === 'customers'
            ? await importCustomers(db, chunk as CustomerRow[], at)
            : await importResponses(db, chunk as ResponseRow[], survey, at);
        outcome.created += result.created;
        outcome.updated += result.updated;
        outcome.unchanged += result.unchanged;
        bad.push(...result.bad);
        done += chunk.length;
        progress(done, total);
      }
    }),
  );
  progress(done, total, true);
  bad.sort((a, b) => a.line - b.line).forEach(report);
  return { rows: total, ...outcome, bad: bad.length, ms: Date.now() - started };
}

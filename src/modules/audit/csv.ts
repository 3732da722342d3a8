/**
 * The audit export file formats, written and read back: JSONL (one
 * AuditRecord per line) and CSV. Both carry every hashed field and the chain
 * fields, so `wardroom audit verify --file` recomputes each event's hash from
 * the file alone; parsing is the exact inverse of writing.
 *
 * CSV is made safe to open in a spreadsheet:
 *   - a cell starting with a character a spreadsheet reads as the start of a
 *     formula (= + - @ tab CR, and their full-width forms) gets a leading `'`;
 *     a cell that already starts with `'` gets one too, so reading strips
 *     exactly one `'` from any cell that has one and the escape is reversible;
 *   - every non-empty cell is quoted, so a `;` or tab inside a value cannot
 *     split it into a new cell under another locale's separator;
 *   - null is an empty cell; in the nullable columns (actor_id, actor_name,
 *     correlation_id) the empty string is written `'` (what neutralizing an
 *     empty string gives when it must differ from null; no other value
 *     gives a lone `'`), so null and "" round-trip exactly without relying
 *     on quoting, which spreadsheets do not preserve;
 *   - UTF-8 with a byte-order mark and CRLF records (RFC 4180), which is what
 *     Excel needs to read UTF-8.
 *   `targets`, `context` and `metadata` hold RFC 8785 canonical JSON; `seq`
 *   is decimal.
 *
 * An export from Wardroom ends with its signed head (head.ts): a last JSONL
 * line or CSV row that is a checkpoint, not an event. `readExportEntries`
 * returns it; `parseJsonlExport` and `parseCsvExport` return the events only.
 */
import { createInterface } from 'node:readline';
import { pipeline as pipelineCallback, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify, type Options as StringifyOptions } from 'csv-stringify';
import { AppError } from '../../base/errors.js';
import { canonicalJson } from '../crypto/index.js';
import type { Checkpoint } from './checkpoints.js';
import { AUDIT_COLUMNS, type AuditRecord } from './event.js';
import {
  headAsRecord,
  headFromJsonl,
  headFromRecord,
  headJsonl,
  HEAD_ACTOR_TYPE,
  isHeadJsonl,
  type ExportEntry,
} from './head.js';

/** Bytes (or text) of an export file: a file stream, an HTTP body, an array of chunks. */
export type ExportInput = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
export type RecordSource = AsyncIterable<AuditRecord> | Iterable<AuditRecord>;

// U+FF1D, U+FF0B, U+FF0D, U+FF20: full-width = + - @, which some spreadsheet
// locales also accept as the start of a formula.
const FORMULA_START = new Set([
  '=',
  '+',
  '-',
  '@',
  '\t',
  '\r',
  "'",
  '\uff1d',
  '\uff0b',
  '\uff0d',
  '\uff20',
]);

/** Makes a cell inert in a spreadsheet; `restore` undoes it exactly. */
export function neutralize(value: string): string {
  const first = value.charAt(0);
  return first !== '' && FORMULA_START.has(first) ? `'${value}` : value;
}

/** Undoes `neutralize`: strips one leading `'`. */
export function restore(value: string): string {
  return value.startsWith("'") ? value.slice(1) : value;
}

type Column = (typeof AUDIT_COLUMNS)[number];
const JSON_COLUMNS: ReadonlySet<Column> = new Set(['targets', 'context', 'metadata']);
const NULLABLE_COLUMNS: ReadonlySet<Column> = new Set(['actor_id', 'actor_name', 'correlation_id']);

/** One record as CSV cells in AUDIT_COLUMNS order, neutralized; null stays null. */
export function toCsvCells(record: AuditRecord): (string | null)[] {
  return AUDIT_COLUMNS.map((column) => {
    const value = record[column];
    if (value === null) return null;
    if (typeof value === 'number') return String(value);
    if (value === '' && NULLABLE_COLUMNS.has(column)) return "'";
    return neutralize(typeof value === 'string' ? value : canonicalJson(value));
  });
}

const CSV_OPTIONS: StringifyOptions = {
  bom: true,
  header: true,
  columns: [...AUDIT_COLUMNS],
  record_delimiter: 'windows',
  quoted: true,
};

/** Writes records (then `head`, if given) as CSV into `sink` (and ends it), with backpressure. */
export async function writeCsvExport(
  records: RecordSource,
  sink: Writable,
  head?: Checkpoint,
): Promise<void> {
  async function* rows(): AsyncGenerator<(string | null)[]> {
    for await (const record of records) yield toCsvCells(record);
    if (head !== undefined) yield toCsvCells(headAsRecord(head));
  }
  await pipeline(rows(), stringify(CSV_OPTIONS), sink);
}

/** Lines of JSON are gathered into chunks of about this many characters before writing. */
const JSONL_CHUNK = 64 * 1024;

/** Writes records (then `head`, if given) as JSON Lines into `sink` (and ends it), with backpressure. */
export async function writeJsonlExport(
  records: RecordSource,
  sink: Writable,
  head?: Checkpoint,
): Promise<void> {
  async function* chunks(): AsyncGenerator<string> {
    let chunk = '';
    for await (const record of records) {
      chunk += `${JSON.stringify(record)}\n`;
      if (chunk.length >= JSONL_CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    if (head !== undefined) chunk += `${headJsonl(head)}\n`;
    if (chunk !== '') yield chunk;
  }
  await pipeline(chunks(), sink);
}

function toReadable(input: ExportInput): Readable {
  return input instanceof Readable ? input : Readable.from(input);
}

/** Every entry of an export (events and signed heads), in file order. */
export function readExportEntries(
  input: ExportInput,
  format: 'jsonl' | 'csv',
): AsyncGenerator<ExportEntry> {
  return format === 'csv' ? readCsvEntries(input) : readJsonlEntries(input);
}

async function* eventsOf(entries: AsyncIterable<ExportEntry>): AsyncGenerator<AuditRecord> {
  for await (const entry of entries) if (entry.kind === 'event') yield entry.event;
}

/** Reads a JSONL export back into records, in file order, validating each line; skips the head. */
export function parseJsonlExport(input: ExportInput): AsyncGenerator<AuditRecord> {
  return eventsOf(readJsonlEntries(input));
}

/** Reads a CSV export back into records, in file order, undoing the escaping; skips the head. */
export function parseCsvExport(input: ExportInput): AsyncGenerator<AuditRecord> {
  return eventsOf(readCsvEntries(input));
}

async function* readJsonlEntries(input: ExportInput): AsyncGenerator<ExportEntry> {
  const lines = createInterface({ input: toReadable(input), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    const text = lineNumber === 1 && line.startsWith('\ufeff') ? line.slice(1) : line;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new AppError('validation_failed', `line ${lineNumber} is not JSON`);
    }
    const where = `line ${lineNumber}`;
    yield isHeadJsonl(value)
      ? { kind: 'head', head: headFromJsonl(value, where) }
      : { kind: 'event', event: asAuditRecord(value, where) };
  }
}

async function* readCsvEntries(input: ExportInput): AsyncGenerator<ExportEntry> {
  const parser = parse({ bom: true });
  // pipeline() carries a read error of the input into the parser (and so to
  // the loop below) and closes the input when the loop stops early.
  const rows = pipelineCallback(toReadable(input), parser, () => undefined);
  let header = true;
  let rowNumber = 0;
  try {
    for await (const cells of rows as AsyncIterable<readonly string[]>) {
      if (header) {
        if (cells.join(',') !== AUDIT_COLUMNS.join(',')) {
          throw new AppError('validation_failed', `the header must be: ${AUDIT_COLUMNS.join(',')}`);
        }
        header = false;
        continue;
      }
      rowNumber += 1;
      const where = `row ${rowNumber}`;
      const record = fromCsvCells(cells, where);
      yield record.actor_type === HEAD_ACTOR_TYPE
        ? { kind: 'head', head: headFromRecord(record, where) }
        : { kind: 'event', event: record };
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('validation_failed', `the CSV export cannot be read: ${message}`, {
      cause: error,
    });
  }
}

function fromCsvCells(cells: readonly string[], where: string): AuditRecord {
  if (cells.length !== AUDIT_COLUMNS.length) {
    throw new AppError('validation_failed', `${where} has ${cells.length} cells`);
  }
  const record: Record<string, unknown> = {};
  AUDIT_COLUMNS.forEach((column, i) => {
    const cell = cells[i] ?? '';
    if (cell === '' && NULLABLE_COLUMNS.has(column)) {
      record[column] = null;
      return;
    }
    const text = restore(cell);
    if (column === 'seq') {
      record[column] = /^[1-9][0-9]*$/.test(text) ? Number(text) : Number.NaN;
    } else if (JSON_COLUMNS.has(column)) {
      try {
        record[column] = JSON.parse(text) as unknown;
      } catch {
        throw new AppError('validation_failed', `${where}: ${column} is not JSON`);
      }
    } else {
      record[column] = text;
    }
  });
  return asAuditRecord(record, where);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that a parsed value has exactly the export's fields with their JSON
 * types, and returns it unchanged (not rebuilt, so the JSON values are
 * hashed exactly as read, keys such as `__proto__` included). The contents
 * of targets, context and metadata are not constrained beyond their JSON
 * kind: the verifier hashes whatever the log holds.
 */
export function asAuditRecord(value: unknown, where: string): AuditRecord {
  const bad = (why: string): never => {
    throw new AppError('validation_failed', `${where}: ${why}`);
  };
  if (!isPlainObject(value)) return bad('not an object');
  const keys = Object.keys(value);
  const extra = keys.filter((k) => !(AUDIT_COLUMNS as readonly string[]).includes(k));
  if (extra.length > 0) bad(`unknown field ${extra.join(', ')}`);
  for (const column of AUDIT_COLUMNS) {
    if (!Object.hasOwn(value, column)) bad(`missing field ${column}`);
    const v = value[column];
    if (column === 'seq') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
        bad('seq is not a sequence number');
    } else if (column === 'targets') {
      if (!Array.isArray(v)) bad('targets is not an array');
    } else if (column === 'context' || column === 'metadata') {
      if (!isPlainObject(v)) bad(`${column} is not an object`);
    } else if (NULLABLE_COLUMNS.has(column)) {
      if (v !== null && typeof v !== 'string') bad(`${column} is not a string or null`);
    } else if (typeof v !== 'string') {
      bad(`${column} is not a string`);
    }
  }
  return value as unknown as AuditRecord;
}

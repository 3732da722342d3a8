/**
 * Exporting a workspace's whole audit log, oldest first, in constant memory:
 * rows come through a server-side cursor `EXPORT_CHUNK` at a time and are
 * written with backpressure, so a slow reader slows the cursor instead of
 * filling memory. The caller's tenant transaction must stay open until the
 * returned promise settles (the HTTP route runs it inside the request's
 * transaction; see StreamedBody). The file formats are in csv.ts.
 *
 * An export holds the chain: every event the chainer has linked
 * (sql/audit_seal_workspace.sql), normally everything committed until a
 * moment ago. It does not chain first: chaining locks the workspace's chain
 * head until the transaction ends, and an export's transaction lasts as long
 * as the download, which would stall the server's chainer. One transaction
 * gives one snapshot, and chainers take the head lock in turn, so commit
 * order is seq order and a snapshot always holds a gap-free prefix 1..n of
 * the chain: an export verifies on its own.
 *
 * An export ends at the newest signed checkpoint (`audit_checkpoints`), and
 * that checkpoint is its last record (head.ts): every exported event is
 * covered by a signature, so an auditor with the public key can tell a whole
 * export from one cut short or rehashed. Events chained after the newest
 * checkpoint wait for the next one (the server signs every checkpoint
 * interval; `wardroom audit checkpoint` signs now). Signing at export time
 * instead would chain inside the export's transaction (the head lock, again)
 * and need the signing key in the request path. A workspace with no
 * checkpoint yet exports no events and no head.
 */
import type { Writable } from 'node:stream';
import type { TenantTx } from '../../db/tenant-tx.js';
import { readStoredCheckpoints, type Checkpoint } from './checkpoints.js';
import { writeCsvExport, writeJsonlExport } from './csv.js';
import { auditRecordSelect, type AuditRecord } from './event.js';

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_CONTENT_TYPES: Readonly<Record<ExportFormat, string>> = {
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
};

/** Rows fetched per cursor read. */
export const EXPORT_CHUNK = 1000;

/** What an export wrote (for the event that records it). */
export interface ExportProgress {
  events: number;
  lastSeq: number;
  /** The seq of the signed head the export ends with (null: no checkpoint yet). */
  headSeq?: number | null;
}

/**
 * Every chained event of the transaction's workspace (RLS scopes the query)
 * up to seq `upTo`, in seq order. Stopping the iteration early closes the cursor.
 */
export async function* streamAuditRecords(
  tx: TenantTx,
  upTo: number,
  chunkSize: number = EXPORT_CHUNK,
): AsyncGenerator<AuditRecord> {
  const rows = tx
    .selectFrom('audit_log as a')
    .select(auditRecordSelect().as('record'))
    .where('a.seq', 'is not', null)
    .where('a.seq', '<=', String(upTo))
    .orderBy('a.seq', 'asc')
    .stream(chunkSize);
  for await (const row of rows) yield row.record;
}

/**
 * Writes the workspace's log up to its newest signed checkpoint, then that
 * checkpoint, into `sink` in `format` and ends it; resolves after the last
 * row is written. `progress` counts the events handed to the writer, so it
 * is exact once this resolves and an upper bound if it fails.
 */
export async function writeAuditExport(
  tx: TenantTx,
  format: ExportFormat,
  sink: Writable,
  progress: ExportProgress = { events: 0, lastSeq: 0 },
): Promise<void> {
  // Read first: the chain only grows, so every event it covers is already there.
  const head: Checkpoint | undefined = (await readStoredCheckpoints(tx, { newestOnly: true }))[0];
  progress.headSeq = head?.seq ?? null;
  async function* counted(): AsyncGenerator<AuditRecord> {
    if (head === undefined) return;
    for await (const record of streamAuditRecords(tx, head.seq)) {
      progress.events += 1;
      progress.lastSeq = record.seq;
      yield record;
    }
  }
  await (format === 'csv'
    ? writeCsvExport(counted(), sink, head)
    : writeJsonlExport(counted(), sink, head));
}

/** `audit-<workspace>-<YYYY-MM-DD>.<format>` (UTC date). */
export function exportFilename(tenantId: string, format: ExportFormat, now: Date): string {
  return `audit-${tenantId}-${now.toISOString().slice(0, 10)}.${format}`;
}

/**
 * An export record over HTTP: its state and progress, and once completed
 * (and not yet past its expiry) a fresh signed link to the file, valid
 * until the export's expiry at most. Ids, counts and sizes only.
 */
import { z } from 'zod';
import { fileNameOf, type ObjectKey, type Storage } from '../../storage/index.js';
import { EXPORT_SCOPES, EXPORT_STATES, type ExportRecord } from './export-store.js';
import { EXPORT_FORMS } from './rows.js';

export const exportView = z.object({
  id: z.string(),
  scope: z.enum(EXPORT_SCOPES),
  form: z.enum(EXPORT_FORMS),
  state: z.enum(EXPORT_STATES),
  requested_by: z.string(),
  request_id: z.string().nullable(),
  progress: z
    .record(z.string(), z.number().int())
    .describe('Rows written so far per file of the zip (updated about every second).'),
  attempts: z.number().int(),
  file_name: z.string().nullable(),
  size: z.number().int().nullable(),
  counts: z.record(z.string(), z.number().int()).nullable(),
  download_url: z
    .string()
    .nullable()
    .describe('Completed and not expired: a signed link, fresh on every read.'),
  expires_at: z.string().nullable().describe('When the file stops being offered (7 days).'),
  error_code: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});
export type ExportView = z.infer<typeof exportView>;

export function viewOf(
  deps: { readonly storage?: Pick<Storage, 'downloadLink'> | undefined },
  row: ExportRecord,
  now: Date = new Date(),
): ExportView {
  const key = row.object_key as ObjectKey | null;
  const left =
    row.expires_at === null ? 0 : Math.floor((row.expires_at.getTime() - now.getTime()) / 1000);
  const url =
    row.state === 'completed' && key !== null && left > 0 && deps.storage !== undefined
      ? deps.storage.downloadLink(key, left).url
      : null;
  return {
    id: row.id,
    scope: row.scope,
    form: row.form,
    state: row.state,
    requested_by: row.requested_by,
    request_id: row.request_id,
    progress: row.progress,
    attempts: row.attempts,
    file_name: key === null ? null : fileNameOf(key),
    size: row.size,
    counts: row.counts,
    download_url: url,
    expires_at: row.expires_at?.toISOString() ?? null,
    error_code: row.error_code,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    completed_at: row.completed_at?.toISOString() ?? null,
  };
}

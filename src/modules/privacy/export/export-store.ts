/**
 * The export records (migration 028): created queued by the route, moved by
 * the job, read back by the status routes. Who sees a record: its requester
 * always; an owner also every workspace export. A personal export is its
 * requester's alone (an owner asking for another member's gets not_found,
 * as for an id of another workspace), so the list and the status never
 * reveal that someone else exported their data.
 */
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../../../base/errors.js';
import { principalOf, type TenantTx } from '../../../db/tenant-tx.js';
import type { PrivacyExportState } from '../../../db/schema-privacy.js';
import type { ExportForm } from './rows.js';

export const EXPORT_SCOPES = ['workspace', 'personal'] as const;
export type ExportScope = (typeof EXPORT_SCOPES)[number];
export const EXPORT_STATES = ['queued', 'running', 'completed', 'failed'] as const;

export interface ExportRecord {
  readonly id: string;
  readonly scope: ExportScope;
  readonly form: ExportForm;
  readonly requested_by: string;
  readonly request_id: string | null;
  readonly state: PrivacyExportState;
  readonly progress: Record<string, number>;
  readonly attempts: number;
  readonly object_key: string | null;
  readonly size: number | null;
  readonly counts: Record<string, number> | null;
  readonly expires_at: Date | null;
  readonly error_code: string | null;
  readonly started_at: Date | null;
  readonly completed_at: Date | null;
  readonly created_at: Date;
}

/** The caller, as far as seeing exports goes. */
export interface Viewer {
  readonly userId: string;
  readonly isOwner: boolean;
}

const columns = [
  'id',
  'scope',
  'form',
  'requested_by',
  'request_id',
  'state',
  'progress',
  'attempts',
  'object_key',
  'size',
  'counts',
  'expires_at',
  'error_code',
  'started_at',
  'completed_at',
  'created_at',
] as const;

export const exportNotFound = (): AppError => new AppError('not_found', 'No such export');

type Row = Omit<ExportRecord, 'size'> & { size: string | null };
const record = (r: Row): ExportRecord => ({ ...r, size: r.size === null ? null : Number(r.size) });

export async function insertExport(
  tx: TenantTx,
  input: {
    scope: ExportScope;
    form: ExportForm;
    requestedBy: string;
    requestId: string | null;
  },
): Promise<ExportRecord> {
  const row = await tx
    .insertInto('privacy_exports')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id: uuidv7(),
      scope: input.scope,
      form: input.form,
      requested_by: input.requestedBy,
      request_id: input.requestId,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return record(row);
}

/** The record, whoever asked (the job); undefined when there is none. */
export async function findExport(tx: TenantTx, id: string): Promise<ExportRecord | undefined> {
  const row = await tx
    .selectFrom('privacy_exports')
    .select(columns)
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? undefined : record(row);
}

/** The record if `viewer` may see it, else not_found. */
export async function visibleExport(
  tx: TenantTx,
  viewer: Viewer,
  id: string,
): Promise<ExportRecord> {
  const row = await findExport(tx, id);
  if (row === undefined || !canSee(viewer, row)) throw exportNotFound();
  return row;
}

export function canSee(viewer: Viewer, row: Pick<ExportRecord, 'scope' | 'requested_by'>) {
  return row.requested_by === viewer.userId || (viewer.isOwner && row.scope === 'workspace');
}

/** Newest first: the caller's own, and for an owner every workspace export. */
export async function listExports(
  tx: TenantTx,
  viewer: Viewer,
  limit: number,
): Promise<ExportRecord[]> {
  const rows = await tx
    .selectFrom('privacy_exports')
    .select(columns)
    .where((eb) =>
      viewer.isOwner
        ? eb.or([eb('requested_by', '=', viewer.userId), eb('scope', '=', 'workspace')])
        : eb('requested_by', '=', viewer.userId),
    )
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(record);
}

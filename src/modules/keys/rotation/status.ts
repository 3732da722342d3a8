/**
 * `keys status`: a workspace's key versions (each rooted or not) and its
 * root key, its minimum decryption
 * version, per sealed field the rows on each key version (so, the rows
 * still on older versions), and its latest re-encryption sweep. Counting
 * reads every sealed row of the workspace once per field.
 */
import type { TenantTx } from '../../../db/tenant-tx.js';
import { SEALED_FIELDS, fieldName } from '../sealed-fields.js';
import { versionHistogram } from './sealed-sql.js';

export interface KeyStatus {
  readonly workspace_id: string;
  readonly min_version: number;
  readonly versions: readonly {
    readonly version: number;
    readonly primary: boolean;
    readonly kek_id: string;
    readonly kek_version: number;
    /** Mixed with the workspace's root key, so a shred outlives a database restore. */
    readonly rooted: boolean;
    readonly created_at: string;
  }[];
  /** Where the workspace's root key is (null: none yet, or shredded). */
  readonly root_key: { readonly store: string; readonly ref: string } | null;
  readonly fields: readonly {
    readonly field: string;
    readonly rows_by_version: Readonly<Record<string, number>>;
    readonly rows_on_old_versions: number;
  }[];
  readonly sweep: {
    readonly id: string;
    readonly status: string;
    readonly from_versions: readonly number[];
    readonly to_version: number;
    readonly rows_done: number;
    readonly rows_total: number;
    readonly passes: number;
    readonly error: string | null;
    readonly started_at: string | null;
    readonly finished_at: string | null;
  } | null;
  readonly shredded: boolean;
}

export async function keyStatus(tx: TenantTx, tenantId: string): Promise<KeyStatus> {
  const ws = await tx.selectFrom('workspaces').select('min_key_version').executeTakeFirst();
  const versions = await tx
    .selectFrom('workspace_keys')
    .select(['version', 'is_primary', 'kek_id', 'kek_version', 'rooted', 'created_at'])
    .orderBy('version')
    .execute();
  const primary = versions.find((v) => v.is_primary)?.version ?? 0;
  const fields = [];
  for (const f of SEALED_FIELDS) {
    const rows = await versionHistogram(tx, f);
    const old = Object.entries(rows)
      .filter(([v]) => Number(v) < primary)
      .reduce((sum, [, n]) => sum + n, 0);
    fields.push({ field: fieldName(f), rows_by_version: rows, rows_on_old_versions: old });
  }
  const sweep = await tx
    .selectFrom('key_rotations')
    .selectAll()
    .orderBy('to_version', 'desc')
    .limit(1)
    .executeTakeFirst();
  const root = await tx
    .selectFrom('workspace_root_keys')
    .select(['store', 'ref'])
    .executeTakeFirst();
  const receipt = await tx.selectFrom('shred_receipts').select('id').limit(1).executeTakeFirst();
  return {
    workspace_id: tenantId,
    min_version: ws?.min_key_version ?? 1,
    versions: versions.map((v) => ({
      version: v.version,
      primary: v.is_primary,
      kek_id: v.kek_id,
      kek_version: v.kek_version,
      rooted: v.rooted,
      created_at: v.created_at.toISOString(),
    })),
    root_key: root ?? null,
    fields,
    sweep:
      sweep === undefined
        ? null
        : {
            id: sweep.id,
            status: sweep.status,
            from_versions: sweep.from_versions,
            to_version: sweep.to_version,
            rows_done: Number(sweep.rows_done),
            rows_total: Number(sweep.rows_total),
            passes: sweep.passes,
            error: sweep.error,
            started_at: sweep.started_at?.toISOString() ?? null,
            finished_at: sweep.finished_at?.toISOString() ?? null,
          },
    shredded: receipt !== undefined && versions.length === 0,
  };
}

/** The workspace's sweeps that have not finished (pending, running or failed), oldest first. */
export async function unfinishedRotations(tx: TenantTx): Promise<string[]> {
  const rows = await tx
    .selectFrom('key_rotations')
    .select('id')
    .where('status', 'in', ['pending', 'running', 'failed'])
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

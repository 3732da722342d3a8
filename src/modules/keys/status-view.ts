/**
 * `GET /api/v1/workspaces/{ws}/keys`: the owner's view of the workspace's
 * keys, made from `keys status` (rotation/status.ts) with everything that
 * describes the deployment rather than the workspace left out. It carries no
 * key material and no key reference: not the master key's id (a KMS key ARN
 * or a Vault key name is the operator's), not where the root key lives in its
 * store, only the store's kind. Per version: whether it is the primary,
 * rooted, and still opened (at or above the minimum decryption version).
 */
import { z } from 'zod';
import type { TenantTx } from '../../db/tenant-tx.js';
import { keyStatus, type KeyStatus } from './rotation/status.js';

export const keyStatusView = z.object({
  workspace_id: z.string(),
  shredded: z.boolean(),
  primary_version: z.number().int().nullable().describe('the version new data is sealed with'),
  min_version: z.number().int().describe('versions below it no longer open (retired)'),
  versions: z.array(
    z.object({
      version: z.number().int(),
      primary: z.boolean(),
      rooted: z
        .boolean()
        .describe("mixed with the workspace's root key (survives no restore after a shred)"),
      retired: z.boolean(),
      created_at: z.string(),
    }),
  ),
  root_key_store: z
    .enum(['file', 'vault-transit', 'aws-kms'])
    .nullable()
    .describe("the kind of store holding the workspace's root key; null: none yet"),
  rows_on_old_versions: z
    .number()
    .int()
    .describe('sealed values still on a version older than the primary (the sweep re-seals them)'),
  sweep: z
    .object({
      status: z.string(),
      to_version: z.number().int(),
      rows_done: z.number().int(),
      rows_total: z.number().int(),
      started_at: z.string().nullable(),
      finished_at: z.string().nullable(),
    })
    .nullable()
    .describe('the latest re-encryption sweep, if any'),
});
export type KeyStatusView = z.infer<typeof keyStatusView>;

export function toKeyStatusView(status: KeyStatus): KeyStatusView {
  const primary = status.versions.find((v) => v.primary)?.version ?? null;
  const store = status.root_key?.store;
  return {
    workspace_id: status.workspace_id,
    shredded: status.shredded,
    primary_version: primary,
    min_version: status.min_version,
    versions: status.versions.map((v) => ({
      version: v.version,
      primary: v.primary,
      rooted: v.rooted,
      retired: v.version < status.min_version,
      created_at: v.created_at,
    })),
    root_key_store:
      store === 'file' || store === 'vault-transit' || store === 'aws-kms' ? store : null,
    rows_on_old_versions: status.fields.reduce((sum, f) => sum + f.rows_on_old_versions, 0),
    sweep:
      status.sweep === null
        ? null
        : {
            status: status.sweep.status,
            to_version: status.sweep.to_version,
            rows_done: status.sweep.rows_done,
            rows_total: status.sweep.rows_total,
            started_at: status.sweep.started_at,
            finished_at: status.sweep.finished_at,
          },
  };
}

export async function readKeyStatusView(tx: TenantTx, tenantId: string): Promise<KeyStatusView> {
  return toKeyStatusView(await keyStatus(tx, tenantId));
}

/** The owner's key status, and crypto-shredding the workspace. */
import { api, seg } from './client';

export interface KeyStatus {
  readonly workspace_id: string;
  readonly shredded: boolean;
  readonly primary_version: number | null;
  readonly min_version: number;
  readonly versions: readonly {
    readonly version: number;
    readonly primary: boolean;
    readonly rooted: boolean;
    readonly retired: boolean;
    readonly created_at: string;
  }[];
  readonly root_key_store: 'file' | 'vault-transit' | 'aws-kms' | null;
  readonly rows_on_old_versions: number;
  readonly sweep: {
    readonly status: string;
    readonly to_version: number;
    readonly rows_done: number;
    readonly rows_total: number;
    readonly started_at: string | null;
    readonly finished_at: string | null;
  } | null;
}

export interface ShredReceipt {
  readonly receipt: {
    readonly receipt_id: string;
    readonly workspace_id: string;
    readonly destroyed: readonly { readonly version: number }[];
    readonly root_key?: { readonly store: string } | null;
    readonly shredded_at: string;
    readonly signing_key_id: string;
  };
  readonly signature: string;
  readonly public_key: string;
  /** Stored objects deleted after the shred (not part of the signed receipt); null: not deleted. */
  readonly objects_deleted?: number | null;
}

export function keyStatus(workspaceId: string): Promise<KeyStatus> {
  return api.get<KeyStatus>(`/workspaces/${seg(workspaceId)}/keys`);
}

/** Destroys every key of the workspace; `confirm` must be its exact name. Irreversible. */
export function shredWorkspace(workspaceId: string, confirm: string): Promise<ShredReceipt> {
  return api.post<ShredReceipt>(`/workspaces/${seg(workspaceId)}/shred`, { confirm });
}

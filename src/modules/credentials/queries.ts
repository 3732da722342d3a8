/**
 * Reading credentials: metadata only. The secret column is never selected
 * here; only open-secret.ts reads it.
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { decodeCursor, toPage } from '../../db/cursor.js';
import type { CredentialKind } from './kinds.js';
import { notFound, toView, VIEW_COLUMNS, type CredentialView } from './store.js';

export interface ListCredentialsInput {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly kind?: CredentialKind | undefined;
  readonly status?: 'active' | 'revoked' | undefined;
}

export async function listCredentials(
  tx: TenantTx,
  input: ListCredentialsInput,
): Promise<{ items: CredentialView[]; next_cursor: string | null }> {
  const after = decodeCursor(input.cursor);
  let query = tx.selectFrom('integration_credentials').select(VIEW_COLUMNS);
  if (after !== undefined) query = query.where('id', '>', after);
  if (input.kind !== undefined) query = query.where('kind', '=', input.kind);
  if (input.status !== undefined) query = query.where('status', '=', input.status);
  const rows = await query
    .orderBy('id')
    .limit(input.limit + 1)
    .execute();
  return toPage(rows.map(toView), input.limit);
}

export async function getCredential(tx: TenantTx, id: string): Promise<CredentialView> {
  const row = await tx
    .selectFrom('integration_credentials')
    .select(VIEW_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw notFound();
  return toView(row);
}

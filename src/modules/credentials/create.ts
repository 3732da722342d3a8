/**
 * Creating a credential: validate the secret for its kind and provider, seal
 * it under the workspace key (bound to the new row's id and version 1), keep its
 * fingerprint and last4, and return the metadata only.
 */
import { v7 as uuidv7 } from 'uuid';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';
import type { CredentialKind, CredentialSecret } from './kinds.js';
import { sealSecret, toView, VIEW_COLUMNS, type CredentialView } from './store.js';

export interface CreateCredentialInput {
  readonly kind: CredentialKind;
  readonly provider: string;
  readonly label: string;
  readonly secret: CredentialSecret;
  /** The member who created it; null for the CLI (the audit log names the actor either way). */
  readonly createdBy: string | null;
}

export async function createCredential(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal' | 'open'>,
  input: CreateCredentialInput,
): Promise<CredentialView> {
  const id = uuidv7();
  const sealed = await sealSecret(tx, keyring, { id, version: 1, ...input });
  try {
    const row = await tx
      .insertInto('integration_credentials')
      .values({
        tenant_id: principalOf(tx).tenantId,
        id,
        kind: input.kind,
        provider: input.provider,
        label: input.label,
        secret: sealed.secret,
        fingerprint: sealed.fingerprint,
        last4: sealed.last4,
        created_by: input.createdBy,
        version: 1,
      })
      .returning(VIEW_COLUMNS)
      .executeTakeFirstOrThrow();
    return toView(row);
  } catch (error) {
    throw labelConflict(error, input.label) ?? error;
  }
}

/** The active-label unique key, as a clear conflict (labels are not secret). */
export function labelConflict(error: unknown, label: string): AppError | undefined {
  const isLabelKey =
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    error.code === '23505' &&
    'constraint' in error &&
    error.constraint === 'integration_credentials_active_label_key';
  return isLabelKey
    ? new AppError('conflict', `An active credential is already labelled "${label}"`)
    : undefined;
}

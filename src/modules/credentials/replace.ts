/**
 * Replacing a credential's secret: same id, kind and provider; a new sealed
 * secret, fingerprint and last4, and the next version, which the new secret
 * is bound to (an older ciphertext written back later does not open). The audit trigger records which columns
 * changed (secret, fingerprint, last4, replaced_at, version), never their values, so
 * the log shows each fingerprint change without holding any fingerprint.
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';
import type { CredentialSecret } from './kinds.js';
import { notFound, sealSecret, toView, VIEW_COLUMNS, type CredentialView } from './store.js';

export async function replaceCredential(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal' | 'open'>,
  id: string,
  secret: CredentialSecret,
): Promise<CredentialView> {
  const current = await tx
    .selectFrom('integration_credentials')
    .select(['kind', 'provider', 'status', 'version'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (current === undefined) throw notFound();
  if (current.status !== 'active') {
    throw new AppError('conflict', 'A revoked credential cannot be replaced; create a new one');
  }
  const version = current.version + 1;
  const sealed = await sealSecret(tx, keyring, {
    id,
    version,
    kind: current.kind,
    provider: current.provider,
    secret,
  });
  const row = await tx
    .updateTable('integration_credentials')
    .set({
      secret: sealed.secret,
      fingerprint: sealed.fingerprint,
      last4: sealed.last4,
      replaced_at: new Date(),
      version,
    })
    .where('id', '=', id)
    .where('version', '=', current.version)
    .returning(VIEW_COLUMNS)
    .executeTakeFirstOrThrow();
  return toView(row);
}

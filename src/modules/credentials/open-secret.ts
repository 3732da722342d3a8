/**
 * The one way to read a credential's secret, for modules that use it (the
 * LLM gateway, connectors). No route calls this: after creation, routes show
 * only fingerprint and last4. The opened secret must stay in memory and go
 * nowhere but the provider it is for (never a log, an error or a response).
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';
import { oauthSecret, valueSecret, type CredentialKind, type SecretOf } from './kinds.js';
import { secretRef } from './store.js';

export type OpenedCredential = {
  [K in CredentialKind]: {
    readonly id: string;
    readonly kind: K;
    readonly provider: string;
    readonly secret: SecretOf[K];
  };
}[CredentialKind];

export async function openCredentialSecret(
  tx: TenantTx,
  keyring: Pick<Keyring, 'open'>,
  id: string,
): Promise<OpenedCredential> {
  const row = await tx
    .selectFrom('integration_credentials')
    .select(['id', 'kind', 'provider', 'secret', 'version'])
    .where('id', '=', id)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (row?.secret == null) throw new AppError('not_found', 'Credential not found or revoked');
  const plaintext = await keyring.open(tx, secretRef(id, row.version), row.secret);
  let json: unknown;
  try {
    json = JSON.parse(plaintext.toString('utf8'));
  } catch {
    // A JSON.parse message quotes its input: it must never get out.
    throw new AppError('decryption_failed', 'Stored credential is not valid JSON');
  } finally {
    plaintext.fill(0);
  }
  const mismatch = () =>
    new AppError('decryption_failed', 'Stored credential does not match its kind');
  const { kind, provider } = row;
  if (kind === 'oauth') {
    const parsed = oauthSecret.safeParse(json);
    if (!parsed.success) throw mismatch();
    return { id, kind, provider, secret: parsed.data };
  }
  const parsed = valueSecret.safeParse(json);
  if (!parsed.success) throw mismatch();
  return { id, kind, provider, secret: parsed.data };
}

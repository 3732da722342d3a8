/**
 * Which key a call uses, opened per call and kept nowhere:
 * 1. the workspace's `llm_api_key` credential for the provider: the one the
 *    caller names (`credentialId`), else the newest active one (by creation;
 *    a replace keeps a credential's place, so rotating a key in place keeps
 *    it the one in use);
 * 2. else the operator's platform key for the provider (config), metered as
 *    platform traffic;
 * 3. else none: the offline provider answers.
 * The credential is read in its own short transaction, so a replace or a
 * revoke committed by any process is what the next call sees.
 */
import { AppError } from '../../../base/errors.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import type { Keyring } from '../../keys/index.js';
import { openCredentialSecret } from '../../credentials/index.js';
import type { KeySource } from '../ports.js';
import type { ProviderName } from '../providers/types.js';

export interface ResolvedKey {
  readonly source: KeySource;
  /** The key itself; undefined for the offline provider. Never logged, never stored. */
  readonly apiKey: string | undefined;
}

/** A configured key, revealed only when a call needs it (base/config.ts Secret). */
export interface PlatformKey {
  reveal(): string;
}

export type PlatformKeys = Readonly<Partial<Record<ProviderName, PlatformKey>>>;

/** How a key source is named in audit events and logs: never the key. */
export function keyId(source: KeySource): string {
  return source.source === 'byok' ? source.credentialId : source.source;
}

/** The key for a call, in the call's resolving transaction. */
export async function resolveKey(
  tx: TenantTx,
  keyring: Pick<Keyring, 'open'>,
  provider: ProviderName,
  platform: PlatformKeys,
  credentialId?: string,
): Promise<ResolvedKey> {
  let query = tx
    .selectFrom('integration_credentials')
    .select('id')
    .where('kind', '=', 'llm_api_key')
    .where('provider', '=', provider)
    .where('status', '=', 'active');
  if (credentialId !== undefined) query = query.where('id', '=', credentialId);
  const row = await query
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined && credentialId !== undefined) {
    throw new AppError('not_found', `No active ${provider} LLM key with that credential id`);
  }
  let opened: { id: string; value: string } | undefined;
  if (row !== undefined) {
    const credential = await openCredentialSecret(tx, keyring, row.id);
    if (credential.kind !== 'llm_api_key') throw new AppError('internal', 'Not an LLM key');
    opened = { id: credential.id, value: credential.secret.value };
  }
  if (opened !== undefined) {
    return { source: { source: 'byok', credentialId: opened.id }, apiKey: opened.value };
  }
  const platformKey = platform[provider];
  if (platformKey !== undefined) {
    return { source: { source: 'platform', provider }, apiKey: platformKey.reveal() };
  }
  return { source: { source: 'offline' }, apiKey: undefined };
}

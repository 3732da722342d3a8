/**
 * A call's key as columns and as a label. A key is what the velocity
 * tripwire suspends and what metering keeps apart: one BYOK credential, one
 * platform provider key, or the offline provider.
 */
import type { KeySource } from '../gateway/index.js';

export type KeySourceName = KeySource['source'];

/** How a key is stored in llm_usage and llm_key_suspensions. */
export interface KeyColumns {
  readonly key_source: KeySourceName;
  readonly credential_id: string | null;
  /** The platform provider; null for a BYOK or offline key. */
  readonly provider: string | null;
}

export function keyColumns(key: KeySource): KeyColumns {
  switch (key.source) {
    case 'byok':
      return { key_source: 'byok', credential_id: key.credentialId, provider: null };
    case 'platform':
      return { key_source: 'platform', credential_id: null, provider: key.provider };
    case 'offline':
      return { key_source: 'offline', credential_id: null, provider: null };
  }
}

/** `byok:<credential id>`, `platform:<provider>` or `offline`: safe to log and show. */
export function keyLabel(key: KeyColumns): string {
  if (key.key_source === 'byok') return `byok:${key.credential_id ?? ''}`;
  if (key.key_source === 'platform') return `platform:${key.provider ?? ''}`;
  return 'offline';
}

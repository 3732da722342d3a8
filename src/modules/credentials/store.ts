/**
 * What the credential use cases share: the public view of a row (metadata
 * only: no field of it is ever the secret), the sealed field's place, and
 * sealing a validated secret together with its fingerprint and last4.
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';
import { loadFingerprinter } from './fingerprint.js';
import {
  primaryValue,
  secretProblem,
  type CredentialKind,
  type CredentialSecret,
} from './kinds.js';

/** What every route shows of a credential: the row's metadata, timestamps as ISO strings. */
export type CredentialView = {
  readonly [K in keyof ViewRow]: ViewRow[K] extends Date
    ? string
    : ViewRow[K] extends Date | null
      ? string | null
      : ViewRow[K];
};

/** Every column but the secret: the only selection a view is built from. */
export const VIEW_COLUMNS = [
  'id',
  'kind',
  'provider',
  'label',
  'fingerprint',
  'last4',
  'status',
  'created_by',
  'created_at',
  'replaced_at',
  'revoked_at',
] as const;

export interface ViewRow {
  readonly id: string;
  readonly kind: CredentialKind;
  readonly provider: string;
  readonly label: string;
  readonly fingerprint: string;
  readonly last4: string | null;
  readonly status: 'active' | 'revoked';
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly replaced_at: Date | null;
  readonly revoked_at: Date | null;
}

export function toView(row: ViewRow): CredentialView {
  return {
    id: row.id,
    kind: row.kind,
    provider: row.provider,
    label: row.label,
    fingerprint: row.fingerprint,
    last4: row.last4,
    status: row.status,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    replaced_at: row.replaced_at?.toISOString() ?? null,
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}

/**
 * The sealed secret's place: the row, and the credential's version (bound as
 * keys/sealed-fields.ts lists it), so a secret written back after a replace
 * fails to open instead of serving the old secret.
 */
export const secretRef = (id: string, version: number) => ({
  table: 'integration_credentials',
  column: 'secret',
  rowId: id,
  bound: [String(version)],
});

export interface SealedSecret {
  readonly secret: Buffer;
  readonly fingerprint: string;
  readonly last4: string | null;
}

/**
 * Validates `secret` for (kind, provider), then seals its JSON under the
 * workspace key, bound to row `id` and its `version`. The JSON bytes are zeroed after sealing
 * (the strings the caller holds cannot be; they are left to the GC).
 */
export async function sealSecret(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal' | 'open'>,
  input: {
    id: string;
    version: number;
    kind: CredentialKind;
    provider: string;
    secret: CredentialSecret;
  },
): Promise<SealedSecret> {
  const problem = secretProblem(input.kind, input.provider, input.secret);
  if (problem !== undefined) throw new AppError('validation_failed', problem);
  const fingerprinter = await loadFingerprinter(tx, keyring);
  const described = fingerprinter.describe(primaryValue(input.secret));
  fingerprinter.dispose();
  const plaintext = Buffer.from(JSON.stringify(input.secret), 'utf8');
  try {
    const secret = await keyring.seal(tx, secretRef(input.id, input.version), plaintext);
    return { secret, ...described };
  } finally {
    plaintext.fill(0);
  }
}

export function notFound(): AppError {
  return new AppError('not_found', 'Credential not found');
}

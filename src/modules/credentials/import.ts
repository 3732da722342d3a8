/**
 * Storing decrypted legacy entries (legacy.ts) as credentials, all in the
 * caller's one tenant transaction: every entry is stored, or (on any error,
 * such as a label already in use) none is.
 */
import { type TenantTx, principalOf } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';
import { createCredential } from './create.js';
import type { CredentialKind } from './kinds.js';
import type { LegacyEntry } from './legacy.js';

export interface ImportedCredential {
  readonly id: string;
  readonly fingerprint: string;
  readonly last4: string | null;
}

export async function importCredentials(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal' | 'open'>,
  input: {
    kind: CredentialKind;
    provider: string;
    label: string | undefined;
    entries: readonly LegacyEntry[];
  },
): Promise<ImportedCredential[]> {
  const workspace = await tx
    .selectFrom('workspaces')
    .select('tenant_id')
    .where('tenant_id', '=', principalOf(tx).tenantId)
    .executeTakeFirst();
  if (workspace === undefined) throw new AppError('not_found', 'Workspace not found');
  const base = input.label ?? `Imported ${input.kind}`;
  const numbered = input.entries.length > 1;
  const imported: ImportedCredential[] = [];
  for (const [index, entry] of input.entries.entries()) {
    const created = await createCredential(tx, keyring, {
      kind: input.kind,
      provider: input.provider,
      label: entry.label ?? (numbered ? `${base} #${index + 1}` : base),
      secret: entry.secret,
      createdBy: null,
    });
    imported.push({ id: created.id, fingerprint: created.fingerprint, last4: created.last4 });
  }
  return imported;
}

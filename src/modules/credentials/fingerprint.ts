/**
 * Fingerprints and last4: the only things about a secret ever shown after it
 * is stored.
 *
 * fingerprint = hex(HMAC-SHA256(workspace fingerprint key, value))[0..16].
 * A plain SHA-256 of a low-entropy secret (a hand-made webhook key) could be
 * brute-forced offline by anyone who saw the fingerprint (a response, a
 * terminal, a ticket). Keyed by a per-workspace secret that exists only
 * sealed under the workspace's data key, it cannot be tested offline, and the
 * same secret in two workspaces has unrelated fingerprints. Within one
 * workspace it is stable, so "was the key replaced by the same value?" and
 * "is this the key I imported?" stay answerable.
 *
 * last4 is kept only for values of at least 16 characters, so it never
 * reveals more than a quarter of a value.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import type { Keyring } from '../keys/index.js';

export const FINGERPRINT_HEX_CHARS = 16;
export const LAST4_MIN_LENGTH = 16;
const KEY_BYTES = 32;

const keyRef = (tenantId: string) => ({
  table: 'credential_fingerprint_keys',
  column: 'key',
  rowId: tenantId,
});

export interface Fingerprinter {
  describe(value: string): { fingerprint: string; last4: string | null };
  /** Zeroes the key; call when done. */
  dispose(): void;
}

/**
 * Loads the workspace's fingerprint key, creating it on first use. Two first
 * uses at once both insert; the loser's insert waits for the winner's commit,
 * does nothing, and then reads the winner's key.
 */
export async function loadFingerprinter(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal' | 'open'>,
): Promise<Fingerprinter> {
  const { tenantId } = principalOf(tx);
  const existing = await readKey(tx, keyring, tenantId);
  const key = existing ?? (await createKey(tx, keyring, tenantId));
  return {
    describe(value) {
      const mac = createHmac('sha256', key).update(value, 'utf8').digest('hex');
      const chars = Array.from(value);
      return {
        fingerprint: mac.slice(0, FINGERPRINT_HEX_CHARS),
        last4: chars.length >= LAST4_MIN_LENGTH ? chars.slice(-4).join('') : null,
      };
    },
    dispose() {
      key.fill(0);
    },
  };
}

async function readKey(
  tx: TenantTx,
  keyring: Pick<Keyring, 'open'>,
  tenantId: string,
): Promise<Buffer | undefined> {
  const row = await tx
    .selectFrom('credential_fingerprint_keys')
    .select('key')
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return row === undefined ? undefined : keyring.open(tx, keyRef(tenantId), row.key);
}

async function createKey(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal' | 'open'>,
  tenantId: string,
): Promise<Buffer> {
  const fresh = randomBytes(KEY_BYTES);
  const sealed = await keyring.seal(tx, keyRef(tenantId), fresh);
  const inserted = await tx
    .insertInto('credential_fingerprint_keys')
    .values({ tenant_id: tenantId, key: sealed })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .returning('tenant_id')
    .executeTakeFirst();
  if (inserted !== undefined) return fresh;
  fresh.fill(0);
  const winner = await readKey(tx, keyring, tenantId);
  if (winner === undefined) throw new Error('fingerprint key vanished after a conflicting insert');
  return winner;
}

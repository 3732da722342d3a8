/**
 * The keyed blind index of an email address, and the keys it uses. All three
 * keys are derived (HKDF-SHA-256) from one operator secret, the privacy index
 * key (privacy-key.ts), so none is stored:
 *
 * - `address`: the address hash, HMAC-SHA-256 of the normalised address. The
 *   global suppression list and pending opt-out codes are keyed by it.
 * - `index`: the root from which each workspace's own index key is derived;
 *   a contact's `email_index` is HMAC(workspace key, address hash), so the
 *   same address has unrelated indexes in two workspaces, and the opt-out
 *   job can compute every workspace's index from the address hash alone,
 *   without ever holding the address. (README.md: why.)
 * - `code`: keys the stored form of an emailed opt-out code.
 */
import { createHmac, hkdfSync } from 'node:crypto';

export interface PrivacyKeys {
  readonly address: Buffer;
  readonly index: Buffer;
  readonly code: Buffer;
}

function derive(secret: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `wardroom/${label}/v1`, 32));
}

export function privacyKeys(secret: Buffer): PrivacyKeys {
  if (secret.length !== 32) throw new Error('the privacy index key must be 32 bytes');
  return {
    address: derive(secret, 'privacy-address'),
    index: derive(secret, 'contacts-email-index'),
    code: derive(secret, 'privacy-optout-code'),
  };
}

/**
 * How addresses compare: surrounding white space dropped, Unicode NFC, lower
 * case. Gmail's dots and `+tags` are not folded: other providers treat them
 * as different mailboxes, and the person opts out the address they type.
 */
export function normaliseEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** The address hash: what the suppression list and opt-out codes hold. */
export function addressHash(keys: PrivacyKeys, email: string): Buffer {
  return createHmac('sha256', keys.address).update(normaliseEmail(email), 'utf8').digest();
}

/** A workspace's index of an address hash (contacts.email_index). */
export function emailIndex(keys: PrivacyKeys, tenantId: string, address: Buffer): Buffer {
  const workspaceKey = createHmac('sha256', keys.index)
    .update(`workspace\0${tenantId.toLowerCase()}`)
    .digest();
  return createHmac('sha256', workspaceKey).update(address).digest();
}

/** The stored form of an opt-out code, bound to the address hash. */
export function optOutCodeHmac(keys: PrivacyKeys, address: Buffer, code: string): Buffer {
  return createHmac('sha256', keys.code).update(address).update(`\0${code}`).digest();
}

/**
 * Key changes every process must see at once. Rotation, a new minimum
 * decryption version and shredding send a NOTIFY on `wardroom_keys` inside
 * their transaction (so it is heard only if they commit); every process
 * listens and drops what it cached for that workspace: the policy for a
 * rotation or a new minimum, every key (zeroed) for a shred. The payload
 * carries ids only.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { parsePayload, type Database } from '../../../db/database.js';
import { principalOf, type TenantTx } from '../../../db/tenant-tx.js';
import type { Keyring } from '../keyring.js';

export const KEY_EVENTS_CHANNEL = 'wardroom_keys';

const keyEvent = z.strictObject({
  tenant_id: z.uuid(),
  event: z.enum(['rotated', 'policy', 'shredded']),
});
export type KeyEvent = z.infer<typeof keyEvent>;

/** Queues the notification for commit of `tx` (for the transaction's own workspace). */
export async function notifyKeyEvent(tx: TenantTx, event: KeyEvent['event']): Promise<void> {
  const payload = JSON.stringify({ tenant_id: principalOf(tx).tenantId, event });
  await sql`select pg_notify(${KEY_EVENTS_CHANNEL}, ${payload})`.execute(tx);
}

/** Applies one event to a keyring. */
export function applyKeyEvent(
  keyring: Pick<Keyring, 'invalidate' | 'forget'>,
  event: KeyEvent,
): void {
  if (event.event === 'shredded') keyring.forget(event.tenant_id);
  else keyring.invalidate(event.tenant_id);
}

/**
 * Keeps `keyring` in step with every process's key changes until the
 * returned function is called. After a lost connection every cached key is
 * dropped, since events may have been missed.
 */
export async function subscribeKeyEvents(
  db: Pick<Database, 'listen'>,
  keyring: Pick<Keyring, 'invalidate' | 'forget' | 'forgetAll'>,
  onEvent?: (event: KeyEvent | 'reconnected') => void,
): Promise<() => Promise<void>> {
  return db.listen(KEY_EVENTS_CHANNEL, {
    message(payload) {
      const event = parsePayload(payload, keyEvent);
      if (event === undefined) return;
      applyKeyEvent(keyring, event);
      onEvent?.(event);
    },
    reconnected() {
      keyring.forgetAll();
      onEvent?.('reconnected');
    },
  });
}

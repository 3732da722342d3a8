/**
 * Crypto-shredding a workspace: every version of its data key is deleted
 * (the audit trigger records each as workspace_key.deleted), so no sealed
 * value of the workspace opens again, wherever a copy of it lives (backups,
 * replicas, exports of ciphertext). Every process is told to drop and zero
 * its cached keys (NOTIFY at commit), this one at once. A signed receipt
 * of what was destroyed is stored (with the signer's public key) and
 * returned. The workspace is marked shredded (`shredded_at`), so every
 * request of it answers 410 workspace_shredded from then on, and plaintext
 * names left from before they were sealed are cleared (plaintext.ts). The
 * caller must repeat the workspace's name.
 *
 * The workspace's root key is destroyed in its store outside the database
 * as well (root-keys.ts), the last step before commit, so that restoring a
 * database backup from before the shred brings back only data keys that
 * open nothing; if it cannot be destroyed, the shred fails and changes
 * nothing.
 */
import { randomUUID } from 'node:crypto';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Signer } from '../crypto/index.js';
import type { Keyring } from './keyring.js';
import { clearPlaintext } from './plaintext.js';
import { notifyKeyEvent } from './rotation/key-events.js';
import {
  RECEIPT_TYPE,
  shredReceipt,
  signShredReceipt,
  type SignedShredReceipt,
} from './shred-receipt.js';

export async function shredWorkspace(
  tx: TenantTx,
  deps: { keyring: Pick<Keyring, 'forget' | 'detachRootKey'>; signer: Signer },
  input: { confirm: string; userId?: string },
): Promise<SignedShredReceipt> {
  const ws = await tx.selectFrom('workspaces').select('name').forUpdate().executeTakeFirst();
  if (ws === undefined) throw new AppError('not_found', 'Workspace not found');
  if (input.confirm !== ws.name) {
    throw new AppError('validation_failed', 'confirm must be exactly the workspace name');
  }
  return destroyWorkspaceKeys(tx, deps, input.userId);
}

/**
 * The shred itself, without the typed confirmation: for the automatic
 * post-cancellation purge (billing module), whose confirmation is the
 * owner's setting and the warnings sent before it. Same effects and receipt.
 */
export async function destroyWorkspaceKeys(
  tx: TenantTx,
  deps: { keyring: Pick<Keyring, 'forget' | 'detachRootKey'>; signer: Signer },
  userId?: string,
): Promise<SignedShredReceipt> {
  const principal = principalOf(tx);
  const ws = await tx.selectFrom('workspaces').select('tenant_id').forUpdate().executeTakeFirst();
  if (ws === undefined) throw new AppError('not_found', 'Workspace not found');
  const destroyed = await tx
    .deleteFrom('workspace_keys')
    .returning(['key_id', 'version', 'kek_id', 'kek_version'])
    .execute();
  if (destroyed.length === 0) {
    throw new AppError('conflict', "This workspace's keys were already destroyed");
  }
  destroyed.sort((a, b) => a.version - b.version);
  const root = await deps.keyring.detachRootKey(tx);
  await tx
    .updateTable('key_rotations')
    .set({ status: 'failed', error: 'shredded', finished_at: new Date() })
    .where('status', 'in', ['pending', 'running'])
    .execute();
  await tx.updateTable('workspaces').set({ shredded_at: new Date() }).execute();
  await clearPlaintext(tx);
  const signed = signShredReceipt(deps.signer, {
    type: RECEIPT_TYPE,
    receipt_id: randomUUID(),
    workspace_id: principal.tenantId,
    destroyed,
    root_key: root?.ref ?? null,
    shredded_at: new Date().toISOString(),
    actor: { type: principal.actorType, id: principal.actorId, user_id: userId ?? null },
    correlation_id: principal.correlationId,
    signing_key_id: deps.signer.keyId,
  });
  await tx
    .insertInto('shred_receipts')
    .values({
      tenant_id: principal.tenantId,
      id: signed.receipt.receipt_id,
      receipt: JSON.stringify(signed.receipt),
      signing_key_id: deps.signer.keyId,
      signature: Buffer.from(signed.signature, 'base64'),
      public_key: signed.public_key,
    })
    .execute();
  // Irreversible, so last: a failure before it leaves the root key in place.
  await root?.destroy();
  await notifyKeyEvent(tx, 'shredded');
  // Drop them here now; should the transaction roll back, they are only re-read.
  deps.keyring.forget(principal.tenantId);
  return signed;
}

/** The stored receipts of a workspace, newest first, as signed. */
export async function listShredReceipts(
  tx: TenantTx,
  signer: Pick<Signer, 'publicKey' | 'keyId'>,
): Promise<SignedShredReceipt[]> {
  const rows = await tx
    .selectFrom('shred_receipts')
    .select(['receipt', 'signature', 'signing_key_id', 'public_key'])
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => ({
    receipt: shredReceipt.parse(r.receipt),
    signature: r.signature.toString('base64'),
    // Stored with the receipt since 011. A receipt stored before carries the
    // current key only if that key signed it; otherwise the verifier must
    // bring the old public key.
    public_key: r.public_key ?? (r.signing_key_id === signer.keyId ? signer.publicKey : ''),
  }));
}

/**
 * Payloads of background jobs that carry tenant data are sealed with the
 * tenant's key at the job boundary: the job row (in the job queue's own
 * schema, outside RLS) then holds ids and ciphertext only. The envelope is
 * bound to the workspace and a random payload id, so a sealed payload
 * copied into another workspace's job, or spliced with another job's id,
 * fails to open.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from './keyring.js';

export const sealedJobPayload = z.strictObject({
  tenant_id: z.uuid(),
  payload_id: z.uuid(),
  /** base64 envelope of the JSON payload */
  sealed: z.base64(),
});
export type SealedJobPayload = z.infer<typeof sealedJobPayload>;

const ref = (payloadId: string) => ({ table: 'job_payloads', column: 'payload', rowId: payloadId });

export async function sealJobPayload(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  payload: unknown,
): Promise<SealedJobPayload> {
  const payloadId = randomUUID();
  const plaintext = Buffer.from(JSON.stringify(payload), 'utf8');
  try {
    const sealed = await keyring.seal(tx, ref(payloadId), plaintext);
    return {
      tenant_id: principalOf(tx).tenantId,
      payload_id: payloadId,
      sealed: sealed.toString('base64'),
    };
  } finally {
    plaintext.fill(0);
  }
}

/** Opens a sealed payload in its own workspace's transaction; the caller validates the shape. */
export async function openJobPayload(
  tx: TenantTx,
  keyring: Pick<Keyring, 'open'>,
  payload: SealedJobPayload,
): Promise<unknown> {
  if (payload.tenant_id !== principalOf(tx).tenantId) {
    throw new AppError('decryption_failed', 'Job payload belongs to another workspace');
  }
  const plaintext = await keyring.open(
    tx,
    ref(payload.payload_id),
    Buffer.from(payload.sealed, 'base64'),
  );
  try {
    return JSON.parse(plaintext.toString('utf8')) as unknown;
  } finally {
    plaintext.fill(0);
  }
}

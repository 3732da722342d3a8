/**
 * Signed receipts of crypto-shredding: what was destroyed (the workspace,
 * each data key version with the master key that wrapped it, the root key
 * in the workspace key store), when, and by
 * whom, signed with the audit signing key (Ed25519, crypto/primitives/ed25519.ts)
 * over its RFC 8785 canonical JSON. Anyone holding the public key from
 * /.well-known/wardroom-audit-key can check a receipt offline.
 */
import { z } from 'zod';
import { canonicalJson, keyIdOf, verifySignature, type Signer } from '../crypto/index.js';

export const RECEIPT_TYPE = 'wardroom.shred_receipt.v1';

export const shredReceipt = z.strictObject({
  type: z.literal(RECEIPT_TYPE),
  receipt_id: z.uuid(),
  workspace_id: z.uuid(),
  destroyed: z.array(
    z.strictObject({
      key_id: z.uuid(),
      version: z.number().int(),
      kek_id: z.string(),
      kek_version: z.number().int(),
    }),
  ),
  /** The workspace root key destroyed in its store; absent from receipts signed before root keys. */
  root_key: z.strictObject({ store: z.string(), ref: z.string() }).nullable().optional(),
  shredded_at: z.string(),
  actor: z.strictObject({
    type: z.string(),
    id: z.string(),
    user_id: z.string().nullable(),
  }),
  correlation_id: z.string(),
  signing_key_id: z.string(),
});
export type ShredReceipt = z.infer<typeof shredReceipt>;

export const signedShredReceipt = z.strictObject({
  receipt: shredReceipt,
  /** base64 Ed25519 signature over canonicalJson(receipt) */
  signature: z.string(),
  /** base64 raw Ed25519 public key of the signer */
  public_key: z.string(),
});
export type SignedShredReceipt = z.infer<typeof signedShredReceipt>;

export function signShredReceipt(signer: Signer, receipt: ShredReceipt): SignedShredReceipt {
  return {
    receipt,
    signature: signer.sign(canonicalJson(receipt)).toString('base64'),
    public_key: signer.publicKey,
  };
}

/**
 * Whether `signed` is a well-formed receipt signed by the key `publicKey`
 * (base64, raw Ed25519; by default the one the receipt carries, which only
 * proves integrity: pass the published key to prove origin).
 */
export function verifyShredReceipt(signed: unknown, publicKey?: string): boolean {
  const parsed = signedShredReceipt.safeParse(signed);
  if (!parsed.success) return false;
  const { receipt, signature } = parsed.data;
  const key = publicKey ?? parsed.data.public_key;
  try {
    if (receipt.signing_key_id !== keyIdOf(Buffer.from(key, 'base64'))) return false;
    return verifySignature(key, canonicalJson(receipt), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

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
 * Whether `signed` is a well-formed receipt signed by the public key it
 * carries, and, when `publicKey` (base64, raw Ed25519) is given, whether
 * that carried key is this one. Without `publicKey` this proves only
 * integrity; pass the published key to prove origin. Every byte counts:
 * the receipt body is signed, its `signing_key_id` names the carried key,
 * and the signature and carried key must be in canonical base64 of their
 * exact length, so no other spelling of the same bytes is accepted either.
 */
export function verifyShredReceipt(signed: unknown, publicKey?: string): boolean {
  const parsed = signedShredReceipt.safeParse(signed);
  if (!parsed.success) return false;
  const { receipt, signature, public_key: carried } = parsed.data;
  const key = canonicalBase64(carried, 32);
  const sig = canonicalBase64(signature, 64);
  if (key === undefined || sig === undefined) return false;
  if (publicKey !== undefined && !Buffer.from(publicKey, 'base64').equals(key)) return false;
  try {
    if (receipt.signing_key_id !== keyIdOf(key)) return false;
    return verifySignature(carried, canonicalJson(receipt), sig);
  } catch {
    return false;
  }
}

/** The bytes `text` encodes, if it is their canonical base64 and they are `length` long. */
function canonicalBase64(text: string, length: number): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === length && bytes.toString('base64') === text ? bytes : undefined;
}

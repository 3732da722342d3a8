/**
 * Ed25519 signatures over UTF-8 payloads with raw 32-byte keys (node:crypto).
 * Audit checkpoints and shred receipts are signed with it; anyone holding
 * the public key can check them offline.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { AppError } from '../../../base/errors.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** An Ed25519 private key that signs UTF-8 payloads, with its public half. */
export interface Signer {
  readonly keyId: string;
  /** Raw 32-byte public key, base64. */
  readonly publicKey: string;
  sign(payload: string): Buffer;
}

export function signerFromSeed(seed: Uint8Array): Signer {
  if (seed.length !== 32)
    throw new AppError('config_invalid', 'The audit signing key must be a 32-byte Ed25519 seed');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const raw = createPublicKey(privateKey)
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI_ED25519_PREFIX.length);
  return {
    keyId: keyIdOf(raw),
    publicKey: raw.toString('base64'),
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey),
  };
}

export function keyIdOf(rawPublicKey: Uint8Array): string {
  return `ed25519:${createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 16)}`;
}

export function publicKeyObject(rawBase64: string): KeyObject {
  const raw = Buffer.from(rawBase64, 'base64');
  if (raw.length !== 32) throw new AppError('bad_request', 'An Ed25519 public key is 32 bytes');
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

export function verifySignature(
  publicKeyBase64: string,
  payload: string,
  signature: Uint8Array,
): boolean {
  return verify(null, Buffer.from(payload, 'utf8'), publicKeyObject(publicKeyBase64), signature);
}

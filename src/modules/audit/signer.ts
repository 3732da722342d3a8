/**
 * The Ed25519 key that signs audit checkpoints. From configuration
 * (WARDROOM_AUDIT_SIGNING_KEY: base64 of a 32-byte seed) or, in development
 * only, a generated key file in the data directory. The public half is
 * published at /.well-known/wardroom-audit-key so anyone can check a
 * checkpoint without trusting the server.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../base/errors.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface AuditSigner {
  readonly keyId: string;
  /** Raw 32-byte public key, base64. */
  readonly publicKey: string;
  sign(payload: string): Buffer;
}

export function signerFromSeed(seed: Uint8Array): AuditSigner {
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

export async function loadAuditSigner(options: {
  seed: Buffer | undefined;
  dataDir: string;
  isProduction: boolean;
}): Promise<{ signer: AuditSigner; isDevelopmentKey: boolean }> {
  if (options.seed !== undefined)
    return { signer: signerFromSeed(options.seed), isDevelopmentKey: false };
  if (options.isProduction) {
    throw new AppError(
      'config_invalid',
      'WARDROOM_AUDIT_SIGNING_KEY is required when NODE_ENV=production (base64 of 32 random bytes)',
    );
  }
  const file = path.join(options.dataDir, 'audit-signing.key');
  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o711 });
  try {
    await fs.writeFile(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const seed = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64');
  return { signer: signerFromSeed(seed), isDevelopmentKey: true };
}

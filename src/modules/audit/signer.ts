/**
 * The Ed25519 key that signs audit checkpoints. From configuration
 * (WARDROOM_AUDIT_SIGNING_KEY: base64 of a 32-byte seed) or, in development
 * only, a generated key file in the data directory. The public half is
 * published at /.well-known/wardroom-audit-key so anyone can check a
 * checkpoint without trusting the server.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../base/errors.js';
import { readPrivateFile, signerFromSeed, type Signer } from '../crypto/index.js';

/** The key that signs audit checkpoints and shred receipts. */
export type AuditSigner = Signer;

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
  const seed = Buffer.from(
    (await readPrivateFile(file, 'audit signing key file')).trim(),
    'base64',
  );
  return { signer: signerFromSeed(seed), isDevelopmentKey: true };
}

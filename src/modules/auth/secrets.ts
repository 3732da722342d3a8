/**
 * The auth module's secrets and derived values. The server secret keys the
 * HMAC of sign-in codes and derives each session's CSRF token; it comes
 * from WARDROOM_AUTH_SECRET (base64 of 32 bytes) or, outside production
 * only, a file generated in the data directory, as the audit signing key
 * does (audit/signer.ts). A session token is 32 random bytes (base64url),
 * stored only as its SHA-256.
 */
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../base/errors.js';
import { readPrivateFile } from '../crypto/index.js';

export interface AuthSecret {
  readonly key: Buffer;
  readonly isDevelopmentKey: boolean;
}

export async function loadAuthSecret(options: {
  secret: Buffer | undefined;
  dataDir: string;
  isProduction: boolean;
}): Promise<AuthSecret> {
  if (options.secret !== undefined) return { key: options.secret, isDevelopmentKey: false };
  if (options.isProduction) {
    throw new AppError(
      'config_invalid',
      'WARDROOM_AUTH_SECRET is required when NODE_ENV=production (base64 of 32 random bytes)',
    );
  }
  const file = path.join(options.dataDir, 'auth-secret.key');
  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o711 });
  try {
    await fs.writeFile(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const key = Buffer.from((await readPrivateFile(file, 'auth secret file')).trim(), 'base64');
  if (key.length !== 32)
    throw new AppError('config_invalid', `${file} must hold base64 of 32 bytes`);
  return { key, isDevelopmentKey: true };
}

/** Email addresses compare case-insensitively, as wardroom.users' unique index does. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A new one-time code: 6 decimal digits, uniformly drawn. */
export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/** The stored form of a code: HMAC-SHA256 under the server secret, bound to the address. */
export function codeHmac(secret: Buffer, email: string, code: string): Buffer {
  return createHmac('sha256', secret)
    .update(`sign-in-code\0${normalizeEmail(email)}\0${code}`)
    .digest();
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The stored form of a session token. */
export function sessionHash(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** A session's CSRF token, derived from its secret token so that nothing more is stored. */
export function csrfToken(secret: Buffer, token: string): string {
  return createHmac('sha256', secret).update(`csrf\0${token}`).digest('base64url');
}

/** The form a session token must have (43 base64url characters); anything else is no session. */
export function isSessionToken(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

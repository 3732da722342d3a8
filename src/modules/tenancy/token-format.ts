/**
 * API token wire format: `wr_` + base64url(workspace id ‖ token id ‖ secret),
 * 16 + 16 + 32 bytes. The token names its workspace and row, so it is looked
 * up inside that workspace's own RLS scope; only SHA-256(secret) is stored.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { bytesToUuid, uuidToBytes } from '../../base/uuid.js';

export const TOKEN_PREFIX = 'wr_';
const BODY_BYTES = 64;

export interface ParsedToken {
  readonly tenantId: string;
  readonly tokenId: string;
  readonly secret: Buffer;
}

export function mintToken(
  tenantId: string,
  tokenId: string,
): { token: string; secretHash: Buffer } {
  const secret = randomBytes(32);
  const body = Buffer.concat([uuidToBytes(tenantId), uuidToBytes(tokenId), secret]);
  return { token: TOKEN_PREFIX + body.toString('base64url'), secretHash: hashSecret(secret) };
}

/** Returns undefined for anything that is not a well-formed token. */
export function parseToken(token: string): ParsedToken | undefined {
  if (!token.startsWith(TOKEN_PREFIX)) return undefined;
  const encoded = token.slice(TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]{86}$/.test(encoded)) return undefined;
  const body = Buffer.from(encoded, 'base64url');
  if (body.length !== BODY_BYTES) return undefined;
  return {
    tenantId: bytesToUuid(body.subarray(0, 16)),
    tokenId: bytesToUuid(body.subarray(16, 32)),
    secret: body.subarray(32),
  };
}

export function hashSecret(secret: Uint8Array): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(secret: Uint8Array, storedHash: Uint8Array): boolean {
  const candidate = hashSecret(secret);
  return storedHash.length === candidate.length && timingSafeEqual(candidate, storedHash);
}

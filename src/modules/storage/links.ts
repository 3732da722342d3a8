/**
 * Signed download links, served by Wardroom itself:
 *
 *   <public URL>/api/v1/objects/download?key=<object key>&expires=<unix seconds>&signature=<base64url>
 *
 * The signature is HMAC-SHA256 over ("wardroom.object-link.v1", key,
 * expires), NUL-separated, under a key derived from the auth secret
 * (WARDROOM_AUTH_SECRET) for this one use, as the CSRF tokens are
 * (auth/secrets.ts). Changing the key (another workspace's, a traversal),
 * the expiry or the signature fails the check; it is compared in constant
 * time. A link lasts at most 7 days: signing a longer one is refused, and
 * so is a link whose expiry lies more than 7 days ahead (which no signer
 * of ours made). Changing the auth secret invalidates every link.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../base/errors.js';
import { parseObjectKey, type ObjectKey, type ParsedObjectKey } from './object-key.js';

export const MAX_LINK_SECONDS = 7 * 24 * 60 * 60;
export const DOWNLOAD_PATH = '/api/v1/objects/download';

/** The link key: the auth secret's HMAC of this use's name, so no other use shares it. */
export function linkSecret(authSecret: Buffer): Buffer {
  return createHmac('sha256', authSecret).update('object-link\0').digest();
}

function signature(secret: Buffer, key: string, expires: number): Buffer {
  return createHmac('sha256', secret)
    .update(`wardroom.object-link.v1\0${key}\0${expires}`)
    .digest();
}

export interface LinkQuery {
  readonly key: string;
  readonly expires: string;
  readonly signature: string;
}

export interface DownloadLink {
  readonly url: string;
  readonly expiresAt: Date;
}

/** A signed link to `key`, valid for `ttlSeconds` (1 s to 7 days) from `now`. */
export function signDownloadLink(
  secret: Buffer,
  publicUrl: string,
  key: ObjectKey,
  ttlSeconds: number,
  now: Date = new Date(),
): DownloadLink {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_LINK_SECONDS) {
    throw new AppError('validation_failed', 'A download link lasts from 1 second to 7 days');
  }
  parseObjectKey(key);
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const query = new URLSearchParams({
    key,
    expires: String(expires),
    signature: signature(secret, key, expires).toString('base64url'),
  });
  return {
    url: `${publicUrl.replace(/\/+$/, '')}${DOWNLOAD_PATH}?${query.toString()}`,
    expiresAt: new Date(expires * 1000),
  };
}

const EXPIRES = /^[1-9][0-9]{0,11}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Checks a link's query: its signature first (so nothing about a forged
 * link is told apart), then its expiry, then the key's form. Returns the
 * key and its workspace.
 */
export function verifyDownloadLink(
  secret: Buffer,
  query: LinkQuery,
  now: Date = new Date(),
): ParsedObjectKey & { readonly expiresAt: Date } {
  const invalid = () => new AppError('link_invalid', 'This download link is not valid');
  if (!EXPIRES.test(query.expires) || !SIGNATURE.test(query.signature)) throw invalid();
  const expires = Number(query.expires);
  const expected = signature(secret, query.key, expires);
  const given = Buffer.from(query.signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (expires > nowSeconds + MAX_LINK_SECONDS) throw invalid();
  if (expires <= nowSeconds) throw new AppError('link_expired', 'This download link has expired');
  let parsed: ParsedObjectKey;
  try {
    parsed = parseObjectKey(query.key);
  } catch {
    throw invalid();
  }
  return { ...parsed, expiresAt: new Date(expires * 1000) };
}

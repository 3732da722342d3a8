/**
 * Fernet (spec version 0x80) on `node:crypto` alone: AES-128-CBC with PKCS#7
 * padding, authenticated by HMAC-SHA256 over everything before the tag. It
 * exists so data sealed by Python/Ruby/Go services that used Fernet can be read
 * and re-wrapped during migration; new data uses the AEAD instead. Checks follow
 * the reference implementation's order (version, age, clock skew, MAC, then
 * decrypt), with a constant-time MAC comparison, so nothing is decrypted until
 * it is authenticated and padding errors cannot become an oracle. Every token
 * problem is `decryption_failed`; only a malformed secret or option is `bad_request`.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

import { AppError } from '../../../base/errors.js';

const VERSION = 0x80;
const TIMESTAMP_BYTES = 8;
const IV_BYTES = 16;
const BLOCK_BYTES = 16;
const HMAC_BYTES = 32;
const HEADER_BYTES = 1 + TIMESTAMP_BYTES + IV_BYTES;
/** Smallest token: header, one padded block, tag (padding always adds a block). */
const MIN_TOKEN_BYTES = HEADER_BYTES + BLOCK_BYTES + HMAC_BYTES;
/** Same tolerance as the reference implementation (cryptography's `_MAX_CLOCK_SKEW`). */
const MAX_CLOCK_SKEW_SECONDS = 60n;

interface FernetKeys {
  signingKey: Buffer;
  encryptionKey: Buffer;
}

export interface FernetEncryptOptions {
  now?: Date;
  iv?: Uint8Array;
}

export interface FernetDecryptOptions {
  now?: Date;
  ttlSeconds?: number;
}

function toBase64Url(bytes: Buffer): string {
  return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Strict RFC 4648 base64url with padding: rejects foreign characters and non-canonical forms. */
function fromBase64Url(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return toBase64Url(bytes) === text ? bytes : undefined;
}

function parseSecret(secret: string): FernetKeys {
  const raw = fromBase64Url(secret);
  if (raw?.length !== 32) {
    throw new AppError('bad_request', 'fernet secret must be url-safe base64 of 32 bytes');
  }
  return { signingKey: raw.subarray(0, 16), encryptionKey: raw.subarray(16) };
}

function unixSeconds(now: Date | undefined): bigint {
  const ms = (now ?? new Date()).getTime();
  if (!Number.isFinite(ms) || ms < 0) throw new AppError('bad_request', 'fernet: invalid time');
  return BigInt(Math.floor(ms / 1000));
}

function sign(signingKey: Buffer, signed: Buffer): Buffer {
  return createHmac('sha256', signingKey).update(signed).digest();
}

function fail(reason: string): AppError {
  return new AppError('decryption_failed', `fernet token rejected: ${reason}`);
}

export function fernetEncrypt(
  secret: string,
  plaintext: string | Uint8Array,
  opts: FernetEncryptOptions = {},
): string {
  const { signingKey, encryptionKey } = parseSecret(secret);
  const iv = opts.iv === undefined ? randomBytes(IV_BYTES) : Buffer.from(opts.iv);
  if (iv.length !== IV_BYTES) throw new AppError('bad_request', 'fernet iv must be 16 bytes');
  const header = Buffer.alloc(HEADER_BYTES);
  header[0] = VERSION;
  header.writeBigUInt64BE(unixSeconds(opts.now), 1);
  iv.copy(header, 1 + TIMESTAMP_BYTES);
  const message = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const cipher = createCipheriv('aes-128-cbc', encryptionKey, iv);
  const signed = Buffer.concat([header, cipher.update(message), cipher.final()]);
  return toBase64Url(Buffer.concat([signed, sign(signingKey, signed)]));
}

function checkTimestamp(data: Buffer, opts: FernetDecryptOptions): void {
  const ttl = opts.ttlSeconds;
  if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 0)) {
    throw new AppError('bad_request', 'fernet ttlSeconds must be a non-negative integer');
  }
  const now = unixSeconds(opts.now);
  const issuedAt = data.readBigUInt64BE(1);
  if (ttl !== undefined && issuedAt + BigInt(ttl) < now) throw fail('expired');
  if (now + MAX_CLOCK_SKEW_SECONDS < issuedAt) throw fail('timestamp too far in the future');
}

export function fernetDecrypt(
  secret: string,
  token: string,
  opts: FernetDecryptOptions = {},
): Buffer {
  const { signingKey, encryptionKey } = parseSecret(secret);
  const data = fromBase64Url(token);
  if (data === undefined) throw fail('not valid base64url');
  if (
    data.length < MIN_TOKEN_BYTES ||
    (data.length - HEADER_BYTES - HMAC_BYTES) % BLOCK_BYTES !== 0
  ) {
    throw fail('invalid length');
  }
  if (data[0] !== VERSION) throw fail('unknown version');
  checkTimestamp(data, opts);
  const signed = data.subarray(0, data.length - HMAC_BYTES);
  if (!timingSafeEqual(sign(signingKey, signed), data.subarray(signed.length))) {
    throw fail('bad hmac');
  }
  const iv = data.subarray(1 + TIMESTAMP_BYTES, HEADER_BYTES);
  try {
    const decipher = createDecipheriv('aes-128-cbc', encryptionKey, iv);
    return Buffer.concat([decipher.update(signed.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw fail('bad padding');
  }
}

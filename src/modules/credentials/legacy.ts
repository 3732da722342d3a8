/**
 * Reading credentials sealed by a legacy system, entirely in memory.
 *
 * Input is text, one entry per line (blank lines and lines starting with `#`
 * are skipped):
 *   - fernet:    a Fernet token, or `{"token": "...", "label"?: "..."}`
 *   - secretbox: base64 of nonce (24 bytes) || box (tag || ciphertext), or
 *                `{"nonce": "<base64>", "box": "<base64>", "label"?: "..."}`
 * The decrypted plaintext is the secret: for kind `oauth` the JSON token set
 * `{"access_token", "refresh_token"?, "expires_at"?, "scopes"?}`, for every
 * other kind the value itself (UTF-8).
 *
 * Every entry is decrypted and validated before anything is stored; the first
 * bad one fails the whole input with its line number. No error message ever
 * contains a plaintext, a key, or (from JSON.parse) a quoted input.
 */
import { z } from 'zod';
import { AppError } from '../../base/errors.js';
import {
  fernetDecrypt,
  secretboxOpen,
  SECRETBOX_KEY_BYTES,
  SECRETBOX_MAC_BYTES,
  SECRETBOX_NONCE_BYTES,
} from '../crypto/index.js';
import {
  secretProblem,
  type CredentialKind,
  type CredentialSecret,
  oauthSecret,
  valueSecret,
} from './kinds.js';

export const LEGACY_FORMATS = ['fernet', 'secretbox'] as const;
export type LegacyFormat = (typeof LEGACY_FORMATS)[number];
export const MAX_ENTRIES = 10_000;

export interface LegacyEntry {
  readonly line: number;
  readonly label: string | undefined;
  readonly secret: CredentialSecret;
}

const label = z.string().trim().min(1).max(200).optional();
const fernetLine = z.strictObject({ token: z.string().min(1), label });
const secretboxLine = z.strictObject({ nonce: z.string().min(1), box: z.string().min(1), label });

export function decryptLegacy(
  input: { format: LegacyFormat; key: string; kind: CredentialKind; provider: string },
  text: string,
): LegacyEntry[] {
  const open = opener(input.format, input.key);
  const entries: LegacyEntry[] = [];
  try {
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = index + 1;
      const trimmed = raw.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      if (entries.length >= MAX_ENTRIES) {
        throw new AppError('validation_failed', `More than ${MAX_ENTRIES} entries in one import`);
      }
      const fail = (reason: string) => new AppError('validation_failed', `line ${line}: ${reason}`);
      const parsed = parseLine(input.format, trimmed, fail);
      let plaintext: Buffer;
      try {
        plaintext = open.open(parsed);
      } catch (error) {
        const reason = error instanceof AppError ? error.message : 'could not decrypt';
        throw new AppError('decryption_failed', `line ${line}: ${reason}`);
      }
      const secret = toSecret(input.kind, plaintext, fail);
      const problem = secretProblem(input.kind, input.provider, secret);
      if (problem !== undefined) throw fail(problem);
      entries.push({ line, label: parsed.label, secret });
    });
  } finally {
    open.dispose();
  }
  if (entries.length === 0) throw new AppError('validation_failed', 'The input has no entries');
  return entries;
}

interface ParsedLine {
  readonly token?: string;
  readonly sealed?: Buffer;
  readonly nonce?: Buffer;
  readonly label: string | undefined;
}

function parseLine(
  format: LegacyFormat,
  line: string,
  fail: (reason: string) => AppError,
): ParsedLine {
  const json = line.startsWith('{') ? parseJson(line, fail) : undefined;
  if (format === 'fernet') {
    if (json === undefined) return { token: line, label: undefined };
    const parsed = fernetLine.safeParse(json);
    if (!parsed.success) throw fail('expected {"token": "...", "label"?: "..."}');
    return { token: parsed.data.token, label: parsed.data.label };
  }
  if (json === undefined) {
    const bytes = strictBase64(line);
    if (bytes === undefined) throw fail('not base64 of nonce || box');
    return {
      nonce: bytes.subarray(0, SECRETBOX_NONCE_BYTES),
      sealed: bytes.subarray(SECRETBOX_NONCE_BYTES),
      label: undefined,
    };
  }
  const parsed = secretboxLine.safeParse(json);
  if (!parsed.success)
    throw fail('expected {"nonce": "<base64>", "box": "<base64>", "label"?: "..."}');
  const nonce = strictBase64(parsed.data.nonce);
  const sealed = strictBase64(parsed.data.box);
  if (nonce === undefined || sealed === undefined) throw fail('nonce and box must be base64');
  return { nonce, sealed, label: parsed.data.label };
}

function parseJson(line: string, fail: (reason: string) => AppError): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw fail('not valid JSON');
  }
}

interface Opener {
  open(line: ParsedLine): Buffer;
  dispose(): void;
}

function opener(format: LegacyFormat, key: string): Opener {
  if (format === 'fernet') {
    // The same canonical form fernetDecrypt demands: url-safe base64 with padding.
    const raw = Buffer.from(key, 'base64url');
    const canonical = raw.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    const valid = raw.length === 32 && canonical === key;
    raw.fill(0);
    if (!valid) {
      throw new AppError(
        'validation_failed',
        'WARDROOM_IMPORT_KEY must be a Fernet key: url-safe base64 of 32 bytes, with padding',
      );
    }
    return { open: (line) => fernetDecrypt(key, line.token ?? ''), dispose: () => undefined };
  }
  const raw = strictBase64(key);
  if (raw?.length !== SECRETBOX_KEY_BYTES) {
    raw?.fill(0);
    throw new AppError(
      'validation_failed',
      'WARDROOM_IMPORT_KEY must be base64 of a 32-byte secretbox key',
    );
  }
  return {
    open(line) {
      const sealed = line.sealed ?? Buffer.alloc(0);
      if (line.nonce?.length !== SECRETBOX_NONCE_BYTES || sealed.length < SECRETBOX_MAC_BYTES) {
        throw new AppError('decryption_failed', 'nonce must be 24 bytes and box at least 16');
      }
      return secretboxOpen(raw, line.nonce, sealed);
    },
    dispose: () => raw.fill(0),
  };
}

/** Standard or url-safe base64, padded or not; undefined for anything else. */
function strictBase64(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  const canonical = bytes.toString('base64').replace(/=+$/, '');
  return canonical === text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '')
    ? bytes
    : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toSecret(
  kind: CredentialKind,
  plaintext: Buffer,
  fail: (reason: string) => AppError,
): CredentialSecret {
  let text: string;
  try {
    text = utf8.decode(plaintext);
  } catch {
    throw fail('the decrypted value is not UTF-8 text');
  } finally {
    plaintext.fill(0);
  }
  if (kind !== 'oauth') {
    const parsed = valueSecret.safeParse({ value: text });
    if (!parsed.success) {
      throw fail('the decrypted value must be 8 to 8192 characters without whitespace');
    }
    return parsed.data;
  }
  const json = text.startsWith('{') ? parseJson(text, fail) : undefined;
  const parsed = oauthSecret.safeParse(json);
  if (!parsed.success) {
    throw fail(
      'the decrypted value must be a JSON token set {access_token, refresh_token?, expires_at?, scopes?}',
    );
  }
  return parsed.data;
}

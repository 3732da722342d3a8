/**
 * Runs the official Fernet acceptance suites (generate, verify, invalid) from
 * test/vectors/fernet (required: a missing file fails the run), then the
 * edge cases the suites do not cover: strict base64, bad secrets, tampering,
 * the exact TTL and clock-skew boundaries.
 */
import { describe, it, expect } from 'vitest';
import { readVectors } from '../../support/vectors.js';

import { isAppError, type ErrorCode } from '../../../src/base/errors.js';
import { fernetDecrypt, fernetEncrypt } from '../../../src/modules/crypto/primitives/fernet.js';

function readSuite<T>(relative: string): T[] {
  return readVectors(relative) as T[];
}

interface GenerateCase {
  token: string;
  now: string;
  iv: number[];
  src: string;
  secret: string;
}
interface VerifyCase {
  token: string;
  now: string;
  ttl_sec: number;
  src: string;
  secret: string;
}
interface InvalidCase {
  desc: string;
  token: string;
  now: string;
  ttl_sec: number;
  secret: string;
}

/** Asserts `fn` throws AppError with `code`; returns the message. */
function expectCode(code: ErrorCode, fn: () => unknown): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(isAppError(caught) ? caught.code : caught).toBe(code);
  return caught instanceof Error ? caught.message : '';
}

/** Each invalid vector must fail for its stated reason, not by accident elsewhere. */
const INVALID_REASONS = new Map([
  ['incorrect mac', 'bad hmac'],
  ['too short', 'invalid length'],
  ['invalid base64', 'not valid base64url'],
  ['payload size not multiple of block size', 'invalid length'],
  ['payload padding error', 'bad padding'],
  ['far-future TS (unacceptable clock skew)', 'too far in the future'],
  ['expired TTL', 'expired'],
  ['incorrect IV (causes padding error)', 'bad padding'],
]);

const SECRET = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';

describe('fernet: official vectors', () => {
  it('generate.json: produces each exact token', () => {
    const cases = readSuite<GenerateCase>('fernet/generate.json');
    let executed = 0;
    for (const c of cases) {
      const token = fernetEncrypt(c.secret, c.src, {
        now: new Date(c.now),
        iv: Uint8Array.from(c.iv),
      });
      expect(token).toBe(c.token);
      executed += 1;
    }
    expect(executed).toBe(cases.length);
    expect(executed).toBeGreaterThan(0);
  });

  it('verify.json: decrypts each token to its source', () => {
    const cases = readSuite<VerifyCase>('fernet/verify.json');
    let executed = 0;
    for (const c of cases) {
      const plain = fernetDecrypt(c.secret, c.token, {
        now: new Date(c.now),
        ttlSeconds: c.ttl_sec,
      });
      expect(plain.toString('utf8')).toBe(c.src);
      executed += 1;
    }
    expect(executed).toBe(cases.length);
    expect(executed).toBeGreaterThan(0);
  });

  it('invalid.json: rejects every token', () => {
    const cases = readSuite<InvalidCase>('fernet/invalid.json');
    let executed = 0;
    for (const c of cases) {
      const opts = { now: new Date(c.now), ttlSeconds: c.ttl_sec };
      const message = expectCode('decryption_failed', () => fernetDecrypt(c.secret, c.token, opts));
      expect(INVALID_REASONS.has(c.desc), `unknown invalid vector: ${c.desc}`).toBe(true);
      expect(message, c.desc).toContain(INVALID_REASONS.get(c.desc));
      executed += 1;
    }
    expect(executed).toBe(cases.length);
    expect(executed).toBe(8);
  });
});

describe('fernet: edge cases', () => {
  const issued = new Date('2024-01-01T00:00:00Z');
  const at = (seconds: number): Date => new Date(issued.getTime() + seconds * 1000);
  const token = fernetEncrypt(SECRET, Buffer.from([0, 1, 2, 255]), { now: issued });

  it('round-trips binary data with a random IV', () => {
    expect([...fernetDecrypt(SECRET, token, { now: issued })]).toEqual([0, 1, 2, 255]);
    expect(fernetEncrypt(SECRET, 'x')).not.toBe(fernetEncrypt(SECRET, 'x'));
  });

  it('honours the exact TTL boundary and ignores age without a TTL', () => {
    expect(fernetDecrypt(SECRET, token, { now: at(60), ttlSeconds: 60 }).length).toBe(4);
    expectCode('decryption_failed', () =>
      fernetDecrypt(SECRET, token, { now: at(61), ttlSeconds: 60 }),
    );
    expect(fernetDecrypt(SECRET, token, { now: at(10 ** 8) }).length).toBe(4);
  });

  it('allows 60 s of clock skew and no more', () => {
    expect(fernetDecrypt(SECRET, token, { now: at(-60) }).length).toBe(4);
    expectCode('decryption_failed', () => fernetDecrypt(SECRET, token, { now: at(-61) }));
  });

  it('rejects any flipped bit and a wrong secret', () => {
    const raw = Buffer.from(token, 'base64url');
    for (const index of [0, 5, 20, 30, raw.length - 1]) {
      const forged = Buffer.from(raw);
      forged[index]! ^= 0x01;
      const forgedToken = forged.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
      expectCode('decryption_failed', () => fernetDecrypt(SECRET, forgedToken, { now: issued }));
    }
    const other = Buffer.alloc(32, 7).toString('base64url') + '=';
    expectCode('decryption_failed', () => fernetDecrypt(other, token, { now: issued }));
  });

  it('rejects non-canonical base64: standard alphabet, missing padding, whitespace', () => {
    const variants = [token.replace(/=+$/, ''), ` ${token}`, `${token}\n`, `${token}==`];
    const std = Buffer.from(token, 'base64url').toString('base64');
    if (std !== token) variants.push(std);
    for (const variant of variants) {
      expectCode('decryption_failed', () => fernetDecrypt(SECRET, variant, { now: issued }));
    }
    expectCode('decryption_failed', () => fernetDecrypt(SECRET, '', { now: issued }));
  });

  it('treats a malformed secret or option as bad_request', () => {
    expectCode('bad_request', () => fernetEncrypt('not-a-key', 'x'));
    expectCode('bad_request', () => fernetEncrypt(Buffer.alloc(16).toString('base64url'), 'x'));
    expectCode('bad_request', () => fernetDecrypt(SECRET.replace(/=$/, ''), token));
    expectCode('bad_request', () => fernetEncrypt(SECRET, 'x', { iv: new Uint8Array(15) }));
    expectCode('bad_request', () => fernetDecrypt(SECRET, token, { ttlSeconds: -1 }));
    expectCode('bad_request', () => fernetEncrypt(SECRET, 'x', { now: new Date(Number.NaN) }));
  });
});

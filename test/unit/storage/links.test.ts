/**
 * Signed download links: at most 7 days, and every change to a link (its
 * key, another workspace's key, a traversal, its expiry, its signature) or
 * its age past the expiry refuses it.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  linkSecret,
  MAX_LINK_SECONDS,
  objectKey,
  signDownloadLink,
  verifyDownloadLink,
  type LinkQuery,
} from '../../../src/modules/storage/index.js';

const secret = linkSecret(randomBytes(32));
const now = new Date('2026-12-01T10:00:00Z');
const a = randomUUID();
const b = randomUUID();

function queryOf(url: string): LinkQuery {
  const q = new URL(url).searchParams;
  return {
    key: q.get('key') ?? '',
    expires: q.get('expires') ?? '',
    signature: q.get('signature') ?? '',
  };
}

function link(key = objectKey(a, 'exports', 'a.zip'), ttl = 3600): LinkQuery {
  return queryOf(signDownloadLink(secret, 'https://wardroom.example/', key, ttl, now).url);
}

const invalid = { code: 'link_invalid' };

describe('download links', () => {
  it('verify with their key and workspace until they expire', () => {
    const key = objectKey(a, 'exports', 'a.zip');
    const made = signDownloadLink(secret, 'https://wardroom.example/', key, 3600, now);
    expect(made.url.startsWith('https://wardroom.example/api/v1/objects/download?key=')).toBe(true);
    expect(made.expiresAt.toISOString()).toBe('2026-12-01T11:00:00.000Z');
    const ok = verifyDownloadLink(secret, queryOf(made.url), new Date(now.getTime() + 3599_000));
    expect(ok).toMatchObject({ key, workspaceId: a, segments: ['exports', 'a.zip'] });
    expect(() =>
      verifyDownloadLink(secret, queryOf(made.url), new Date(now.getTime() + 3600_000)),
    ).toThrow(expect.objectContaining({ code: 'link_expired' }));
  });

  it('last at most 7 days', () => {
    expect(() => link(undefined, MAX_LINK_SECONDS)).not.toThrow();
    for (const ttl of [MAX_LINK_SECONDS + 1, 0, -1, 1.5, Number.NaN]) {
      expect(() => link(undefined, ttl)).toThrow(
        expect.objectContaining({ code: 'validation_failed' }),
      );
    }
  });

  it('refuse a tampered signature, expiry or key', () => {
    const q = link();
    const sig = Buffer.from(q.signature, 'base64url');
    sig[0]! ^= 1;
    const checks: LinkQuery[] = [
      { ...q, signature: sig.toString('base64url') },
      { ...q, signature: '' },
      { ...q, signature: `${q.signature}=` },
      { ...q, expires: String(Number(q.expires) + 1) },
      { ...q, expires: `0${q.expires}` },
      { ...q, expires: `${q.expires}.0` },
      { ...q, key: objectKey(a, 'exports', 'b.zip') },
      { ...q, key: `${q.key}/` },
      { ...q, key: q.key.toUpperCase() },
    ];
    for (const bad of checks)
      expect(() => verifyDownloadLink(secret, bad, now)).toThrow(expect.objectContaining(invalid));
  });

  it("refuse workspace A's link altered to name workspace B's object", () => {
    const q = link(objectKey(a, 'exports', 'x.zip'));
    const moved = { ...q, key: objectKey(b, 'exports', 'x.zip') };
    expect(() => verifyDownloadLink(secret, moved, now)).toThrow(expect.objectContaining(invalid));
  });

  it('refuse traversal in the key, even when signed with the real key', () => {
    // A signature over a traversing key (as if the secret leaked): the key's form is still refused.
    for (const key of [
      `tenants/${a}/../${b}/exports/x.zip`,
      `tenants/${a}/exports/%2e%2e/x`,
      `tenants/${a}/exports/..%2fx`,
      `tenants/${a}/./x`,
    ]) {
      const expires = Math.floor(now.getTime() / 1000) + 60;
      const sig = forge(key, expires);
      expect(() =>
        verifyDownloadLink(secret, { key, expires: String(expires), signature: sig }, now),
      ).toThrow(expect.objectContaining(invalid));
    }
    expect(() =>
      signDownloadLink(secret, 'https://w', `tenants/${a}/../x` as never, 60, now),
    ).toThrow(expect.objectContaining({ code: 'object_key_invalid' }));
  });

  it('refuse a link signed under another secret, or claiming more than 7 days', () => {
    const other = linkSecret(randomBytes(32));
    const q = queryOf(signDownloadLink(other, 'https://w', objectKey(a, 'x'), 60, now).url);
    expect(() => verifyDownloadLink(secret, q, now)).toThrow(expect.objectContaining(invalid));
    const expires = Math.floor(now.getTime() / 1000) + MAX_LINK_SECONDS + 10;
    const key = objectKey(a, 'x');
    expect(() =>
      verifyDownloadLink(
        secret,
        { key, expires: String(expires), signature: forge(key, expires) },
        now,
      ),
    ).toThrow(expect.objectContaining(invalid));
  });

  it('derive the link key from the auth secret for this use only', () => {
    const auth = randomBytes(32);
    expect(linkSecret(auth).equals(auth)).toBe(false);
    expect(linkSecret(auth).equals(linkSecret(auth))).toBe(true);
  });
});

/** What signDownloadLink would sign, for a key it refuses to sign (as if the link key leaked). */
function forge(key: string, expires: number): string {
  return createHmac('sha256', secret)
    .update(`wardroom.object-link.v1\0${key}\0${expires}`)
    .digest('base64url');
}

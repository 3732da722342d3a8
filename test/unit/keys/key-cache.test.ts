/**
 * The key cache keeps a workspace's policy only when it names a primary
 * version: a "no key" answer (a workspace without keys, or a read that saw
 * none) is read again by the next request rather than kept for the TTL.
 */
import { describe, expect, it } from 'vitest';
import { KeyCache, type KeyRow } from '../../../src/modules/keys/key-cache.js';

const tenant = '00000000-0000-4000-8000-000000000001';
const primary: KeyRow = {
  version: 1,
  key_id: '00000000-0000-4000-8000-000000000002',
  kek_id: 'local',
  kek_version: 1,
  wrapped_key: Buffer.alloc(8),
  rooted: false,
};

describe('KeyCache policies', () => {
  it('keeps a policy with a primary version', () => {
    const cache = new KeyCache({ policyTtlMs: 60_000, keyTtlMs: 60_000 });
    cache.keepPolicy(tenant, cache.epoch(tenant), { minVersion: 1, primary, loadedAt: Date.now() });
    expect(cache.policy(tenant)?.primary).toBe(primary);
  });

  it('does not keep a negative answer, nor let it replace a kept policy', () => {
    const cache = new KeyCache({ policyTtlMs: 60_000, keyTtlMs: 60_000 });
    const none = { minVersion: 1, primary: undefined, loadedAt: Date.now() };
    cache.keepPolicy(tenant, cache.epoch(tenant), none);
    expect(cache.policy(tenant)).toBeUndefined();
    cache.keepPolicy(tenant, cache.epoch(tenant), { minVersion: 1, primary, loadedAt: Date.now() });
    cache.keepPolicy(tenant, cache.epoch(tenant), none);
    expect(cache.policy(tenant)?.primary).toBe(primary);
  });
});

describe('KeyCache root keys', () => {
  it('keeps an opened root key and zeroes it on forget; one opened before a forget is not kept', () => {
    const cache = new KeyCache({ policyTtlMs: 60_000, keyTtlMs: 60_000 });
    const root = Buffer.alloc(32, 7);
    expect(cache.keepRoot(tenant, cache.epoch(tenant), root)).toBe(true);
    expect(cache.root(tenant)).toBe(root);
    cache.forget(tenant);
    expect(cache.root(tenant)).toBeUndefined();
    expect(root.equals(Buffer.alloc(32))).toBe(true);
    const stale = cache.epoch(tenant);
    cache.forget(tenant);
    expect(cache.keepRoot(tenant, stale, Buffer.alloc(32, 9))).toBe(false);
    expect(cache.root(tenant)).toBeUndefined();
  });
});

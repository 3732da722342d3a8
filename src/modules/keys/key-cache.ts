/**
 * The keyring's memory, per workspace: its unwrapped data key versions and
 * its policy (which version is primary, the minimum decryption version).
 *
 * Both are trusted for a bounded time only. A cached key is used for
 * `keyTtlMs` after its row in workspace_keys was last seen; after that the
 * next use reads the row again (the key is not unwrapped again if the row is
 * still there) and a missing row drops the key, so a key deleted outside
 * Wardroom's own path (which sends no key event) stops working within
 * `keyTtlMs` in every process. The policy is fresh for the shorter of
 * `policyTtlMs` and `keyTtlMs`, because a seal trusts that the primary's row
 * still existed when the policy was read. A policy with no primary (the
 * workspace has no key, or the read saw none) is a negative answer and is
 * never kept: the next request reads again, so one failed or misdirected
 * read cannot lock a workspace out of its key.
 *
 * The workspace's root key (from the workspace key store, mixed into every
 * rooted version) is kept beside its keys and zeroed with them by `forget`;
 * a root key that could not be opened is never kept, so the next use asks
 * the store again.
 *
 * Invalidating or forgetting a workspace bumps its epoch (forgetAll bumps
 * every workspace's): a load that began before, and so may have read the
 * old state, is used once but not kept.
 */
import { AppError } from '../../base/errors.js';

/** A data key version as stored in workspace_keys: wrapped by the master key. */
export interface KeyRow {
  readonly version: number;
  readonly key_id: string;
  readonly kek_id: string;
  readonly kek_version: number;
  readonly wrapped_key: Buffer;
  /** Seals with HKDF(data key, salt = the workspace's root key), not the data key alone. */
  readonly rooted: boolean;
}

export interface Policy {
  readonly minVersion: number;
  readonly primary: KeyRow | undefined;
  readonly loadedAt: number;
}

export interface CachedKey {
  readonly keyId: string;
  readonly version: number;
  readonly key: Buffer;
  destroyed: boolean;
  /** When its row in workspace_keys was last seen (Date.now()). */
  seenAt: number;
}

export interface KeyCacheTtls {
  /** How long a policy is trusted without reading it again. */
  readonly policyTtlMs: number;
  /** How long a key is trusted after its row was last seen. */
  readonly keyTtlMs: number;
}

interface TenantKeys {
  policy?: Policy;
  /** The workspace's root secret, opened from the workspace key store. */
  root?: Buffer;
  readonly versions: Map<number, CachedKey>;
}

export class KeyCache {
  readonly #policyTtlMs: number;
  readonly #keyTtlMs: number;
  readonly #tenants = new Map<string, TenantKeys>();
  readonly #epochs = new Map<string, number>();
  #globalEpoch = 0;

  constructor(ttls: KeyCacheTtls) {
    this.#keyTtlMs = ttls.keyTtlMs;
    this.#policyTtlMs = Math.min(ttls.policyTtlMs, ttls.keyTtlMs);
  }

  /** What the cache of this workspace has been told so far; a load compares it before keeping. */
  epoch(tenantId: string): string {
    return `${this.#globalEpoch}.${this.#epochs.get(tenantId) ?? 0}`;
  }

  /** The workspace's policy, if loaded less than the TTL ago. */
  policy(tenantId: string): Policy | undefined {
    const cached = this.#tenants.get(tenantId)?.policy;
    if (cached !== undefined && Date.now() - cached.loadedAt < this.#policyTtlMs) return cached;
    return undefined;
  }

  /** A cached key whose row was seen less than the key TTL ago. */
  key(tenantId: string, version: number): CachedKey | undefined {
    const cached = this.#tenants.get(tenantId)?.versions.get(version);
    if (cached !== undefined && Date.now() - cached.seenAt < this.#keyTtlMs) return cached;
    return undefined;
  }

  /**
   * A cached key, however old, now that its row (`keyId`, `version`) was
   * seen again at `seenAt`: it is trusted again from then on.
   */
  confirm(tenantId: string, version: number, keyId: string, seenAt: number): CachedKey | undefined {
    const cached = this.#tenants.get(tenantId)?.versions.get(version);
    if (cached === undefined || cached.keyId !== keyId) return undefined;
    cached.seenAt = Math.max(cached.seenAt, seenAt);
    return cached;
  }

  /** Drops and zeroes one cached version whose row is gone. */
  drop(tenantId: string, version: number): void {
    const versions = this.#tenants.get(tenantId)?.versions;
    const cached = versions?.get(version);
    if (cached === undefined) return;
    this.#bump(tenantId);
    versions?.delete(version);
    destroyKey(cached);
  }

  /**
   * Keeps a policy loaded at `epoch`, unless the workspace was invalidated
   * since or the policy has no primary (negative answers are not cached).
   */
  keepPolicy(tenantId: string, epoch: string, policy: Policy): void {
    if (policy.primary === undefined) return;
    if (this.epoch(tenantId) === epoch) this.#entry(tenantId).policy = policy;
  }

  /**
   * Keeps a key unwrapped at `epoch` and returns it; if the workspace was
   * invalidated since, returns it without keeping it. If another load kept
   * this version first, returns that one and zeroes `loaded`.
   */
  keepKey(tenantId: string, epoch: string, loaded: CachedKey): CachedKey {
    if (this.epoch(tenantId) !== epoch) return loaded;
    const keys = this.#entry(tenantId);
    const raced = keys.versions.get(loaded.version);
    if (raced?.keyId === loaded.keyId) {
      raced.seenAt = Math.max(raced.seenAt, loaded.seenAt);
      loaded.key.fill(0);
      return raced;
    }
    if (raced !== undefined) destroyKey(raced);
    keys.versions.set(loaded.version, loaded);
    return loaded;
  }

  /** The workspace's opened root secret, if kept. */
  root(tenantId: string): Buffer | undefined {
    return this.#tenants.get(tenantId)?.root;
  }

  /**
   * Keeps a root secret opened at `epoch`, unless the workspace was
   * invalidated or forgotten since; says whether it was kept (if not, the
   * caller zeroes it after use). One kept before is zeroed and replaced.
   */
  keepRoot(tenantId: string, epoch: string, secret: Buffer): boolean {
    if (this.epoch(tenantId) !== epoch) return false;
    const keys = this.#entry(tenantId);
    keys.root?.fill(0);
    keys.root = secret;
    return true;
  }

  /** Drops the cached policy of a workspace; keys stay cached. */
  invalidate(tenantId: string): void {
    this.#bump(tenantId);
    const keys = this.#tenants.get(tenantId);
    if (keys !== undefined) delete keys.policy;
  }

  /** Drops and zeroes every cached key of a workspace. */
  forget(tenantId: string): void {
    this.#bump(tenantId);
    const keys = this.#tenants.get(tenantId);
    if (keys !== undefined) destroy(keys);
    this.#tenants.delete(tenantId);
  }

  /** Drops and zeroes every cached key of every workspace. */
  forgetAll(): void {
    this.#globalEpoch += 1;
    for (const keys of this.#tenants.values()) destroy(keys);
    this.#tenants.clear();
  }

  #bump(tenantId: string): void {
    this.#epochs.set(tenantId, (this.#epochs.get(tenantId) ?? 0) + 1);
  }

  #entry(tenantId: string): TenantKeys {
    let found = this.#tenants.get(tenantId);
    if (found === undefined) {
      found = { versions: new Map() };
      this.#tenants.set(tenantId, found);
    }
    return found;
  }
}

/** The raw key, refusing one zeroed by `forget` (no await may separate this from its use). */
export function usable(key: CachedKey): Buffer {
  if (key.destroyed) throw new AppError('key_unavailable', 'This data key was destroyed');
  return key.key;
}

function destroyKey(key: CachedKey): void {
  key.destroyed = true;
  key.key.fill(0);
}

function destroy(keys: TenantKeys): void {
  for (const k of keys.versions.values()) destroyKey(k);
  keys.root?.fill(0);
  delete keys.root;
}

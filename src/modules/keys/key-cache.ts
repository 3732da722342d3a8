/**
 * The keyring's memory, per workspace: its unwrapped data key versions (a
 * wrapped version never changes, so they stay until forgotten) and its
 * policy (which version is primary, the minimum decryption version), fresh
 * for `ttlMs` at most. A policy with no primary (the workspace has no key,
 * or the read saw none) is a negative answer and is never kept: the next
 * request reads again, so one failed or misdirected read cannot lock a
 * workspace out of its key.
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
}

interface TenantKeys {
  policy?: Policy;
  readonly versions: Map<number, CachedKey>;
}

export class KeyCache {
  readonly #ttlMs: number;
  readonly #tenants = new Map<string, TenantKeys>();
  readonly #epochs = new Map<string, number>();
  #globalEpoch = 0;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** What the cache of this workspace has been told so far; a load compares it before keeping. */
  epoch(tenantId: string): string {
    return `${this.#globalEpoch}.${this.#epochs.get(tenantId) ?? 0}`;
  }

  /** The workspace's policy, if loaded less than the TTL ago. */
  policy(tenantId: string): Policy | undefined {
    const cached = this.#tenants.get(tenantId)?.policy;
    if (cached !== undefined && Date.now() - cached.loadedAt < this.#ttlMs) return cached;
    return undefined;
  }

  key(tenantId: string, version: number): CachedKey | undefined {
    return this.#tenants.get(tenantId)?.versions.get(version);
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
    if (raced !== undefined) {
      loaded.key.fill(0);
      return raced;
    }
    keys.versions.set(loaded.version, loaded);
    return loaded;
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

function destroy(keys: TenantKeys): void {
  for (const k of keys.versions.values()) {
    k.destroyed = true;
    k.key.fill(0);
  }
}

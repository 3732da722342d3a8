/**
 * The per-workspace response cache (issue 12, section 4), the gateway
 * pipeline's `ResponseCache` port.
 *
 * lookup: the workspace's settings (settings-cache.ts; no transaction when
 * cached) → null when its cache is off → the cache key, HMAC under the
 * workspace's salt (cache-key.ts) → the store → on a stored value only, a
 * transaction of the workspace to open it with its data key. The value is
 * sealed bound to the workspace and the key's digest, so a value copied
 * under another key or into another workspace's key does not open: that is
 * counted (`unopenable`), logged with the workspace id and the error code
 * only, dropped from the store, and answered as a miss. So is anything
 * else that goes wrong (the store away, a shredded workspace's key gone):
 * the cache can make a call cheaper, never fail it.
 *
 * store: the same key, the response sealed in a transaction of the
 * workspace, written with the workspace's TTL. Nothing is stored when the
 * cache is off or the response is larger than `maxEntryBytes`.
 */
import { isAppError } from '../../../base/errors.js';
import type { Database } from '../../../db/database.js';
import { systemPrincipal } from '../../../db/principal.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import type { Keyring } from '../../keys/index.js';
import type { CacheableRequest, CachedResponse, ResponseCache } from '../ports.js';
import { cacheKey, DEFAULT_NAMESPACE, type CacheKey } from './cache-key.js';
import { decodeCachedResponse, encodeCachedResponse } from './cached-value.js';
import { readCacheSettings, type CacheSettings } from './settings.js';
import { SettingsCache } from './settings-cache.js';
import type { CacheStore } from './store.js';

export const DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;
const SYSTEM_REASON = 'llm_cache';

export interface CacheLogger {
  warn(fields: Readonly<Record<string, unknown>>, message: string): void;
}

export interface ResponseCacheDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Pick<Keyring, 'seal' | 'open'>;
  readonly store: CacheStore;
  /** Shared with subscribeCacheEvents, so changes in any process reach it. */
  readonly settings: SettingsCache;
  readonly logger?: CacheLogger;
  /** Prefix of every store key (default `wardroom:llm-cache:`). */
  readonly namespace?: string;
  /** Larger responses are not cached (default 1 MiB). */
  readonly maxEntryBytes?: number;
}

/** Counts since the cache was made, for operators and tests (no content). */
export interface CacheStats {
  hits: number;
  misses: number;
  stored: number;
  /** Values found that did not open (moved, forged, or their key destroyed). */
  unopenable: number;
  /** Store or database failures answered as a miss or skipped. */
  errors: number;
}

export interface WorkspaceResponseCache extends ResponseCache {
  readonly stats: Readonly<CacheStats>;
  /** The store key a request has in a workspace now, or null when its cache is off. */
  keyOf(workspaceId: string, request: CacheableRequest): Promise<string | null>;
}

/** Where a cached value is bound: its workspace (by the transaction) and its key's digest. */
function valueRef(digest: string) {
  return { table: 'llm_response_cache', column: 'response', rowId: digest, bound: [] };
}

function codeOf(error: unknown): string {
  return isAppError(error) ? error.code : 'internal';
}

/**
 * Opens a stored value in its workspace, or null (logged with the workspace
 * id and error code only, and dropped from the store) when it does not open.
 */
async function openEntry(
  deps: ResponseCacheDeps,
  workspaceId: string,
  key: CacheKey,
  envelope: Buffer,
): Promise<CachedResponse | null> {
  let response: CachedResponse | null;
  try {
    const bytes = await deps.db.withTenant(systemPrincipal(workspaceId, SYSTEM_REASON), (tx) =>
      deps.keyring.open(tx, valueRef(key.digest), envelope),
    );
    response = decodeCachedResponse(bytes);
    bytes.fill(0);
  } catch (error) {
    response = null;
    deps.logger?.warn(
      { workspace_id: workspaceId, code: codeOf(error) },
      'llm cache entry did not open; dropped and treated as a miss',
    );
  }
  if (response === null) await deps.store.delete(key.storeKey).catch(() => undefined);
  return response;
}

export function createResponseCache(deps: ResponseCacheDeps): WorkspaceResponseCache {
  const namespace = deps.namespace ?? DEFAULT_NAMESPACE;
  const maxEntryBytes = deps.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const stats: CacheStats = { hits: 0, misses: 0, stored: 0, unopenable: 0, errors: 0 };
  const inWorkspace = <T>(workspaceId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> =>
    deps.db.withTenant(systemPrincipal(workspaceId, SYSTEM_REASON), fn);

  const settingsOf = (workspaceId: string): Promise<CacheSettings> =>
    deps.settings.get(workspaceId, () =>
      inWorkspace(workspaceId, (tx) => readCacheSettings(tx, deps.keyring)),
    );

  /** The key, computed with no await after the settings arrive (the salt may be zeroed later). */
  async function keyFor(workspaceId: string, request: CacheableRequest) {
    const settings = await settingsOf(workspaceId);
    if (!settings.enabled || settings.salt === null) return null;
    return { key: cacheKey(namespace, workspaceId, settings.salt, request), settings };
  }

  function failed(workspaceId: string, what: string, error: unknown): void {
    stats.errors += 1;
    deps.logger?.warn(
      { workspace_id: workspaceId, code: codeOf(error) },
      `llm cache ${what} failed; treated as a miss`,
    );
  }

  return {
    stats,
    async keyOf(workspaceId, request) {
      return (await keyFor(workspaceId, request))?.key.storeKey ?? null;
    },

    async lookup(workspaceId, request): Promise<CachedResponse | null> {
      let found: { key: CacheKey; envelope: Buffer } | null;
      try {
        const keyed = await keyFor(workspaceId, request);
        if (keyed === null) return null;
        const envelope = await deps.store.get(keyed.key.storeKey);
        found = envelope === null ? null : { key: keyed.key, envelope };
      } catch (error) {
        failed(workspaceId, 'lookup', error);
        return null;
      }
      if (found === null) {
        stats.misses += 1;
        return null;
      }
      const response = await openEntry(deps, workspaceId, found.key, found.envelope);
      if (response === null) {
        stats.unopenable += 1;
        stats.misses += 1;
        return null;
      }
      stats.hits += 1;
      return response;
    },

    async store(workspaceId, request, response): Promise<void> {
      try {
        const keyed = await keyFor(workspaceId, request);
        if (keyed === null) return;
        const plaintext = encodeCachedResponse(response);
        if (plaintext.length > maxEntryBytes) return;
        const sealed = await inWorkspace(workspaceId, async (tx) => {
          try {
            return await deps.keyring.seal(tx, valueRef(keyed.key.digest), plaintext);
          } finally {
            plaintext.fill(0);
          }
        });
        await deps.store.set(keyed.key.storeKey, sealed, keyed.settings.ttlSeconds * 1000);
        stats.stored += 1;
      } catch (error) {
        failed(workspaceId, 'store', error);
      }
    },
  };
}

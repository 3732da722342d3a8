/**
 * The per-workspace LLM response cache: what the gateway exports of it.
 * `createLlmCache` builds the ResponseCache on Redis (when given) or process
 * memory; `subscribe` keeps its settings in step with every process.
 */
import type { Redis } from 'ioredis';
import type { Database } from '../../../db/database.js';
import type { Keyring } from '../../keys/index.js';
import { memoryStore } from './memory-store.js';
import { redisStore } from './redis-store.js';
import {
  createResponseCache,
  type CacheLogger,
  type WorkspaceResponseCache,
} from './response-cache.js';
import { SettingsCache, subscribeCacheEvents } from './settings-cache.js';

export { cacheRoutes } from './routes.js';
export { cacheKey, canonicalRequest, DEFAULT_NAMESPACE } from './cache-key.js';
export { memoryStore, type MemoryStoreOptions } from './memory-store.js';
export { redisStore } from './redis-store.js';
export type { CacheStore } from './store.js';
export {
  createResponseCache,
  type CacheStats,
  type ResponseCacheDeps,
  type WorkspaceResponseCache,
} from './response-cache.js';
export { SettingsCache, subscribeCacheEvents, CACHE_EVENTS_CHANNEL } from './settings-cache.js';
export { readCacheSettings, type CacheSettings } from './settings.js';

export interface LlmCacheOptions {
  readonly db: Pick<Database, 'withTenant' | 'listen'>;
  readonly keyring: Pick<Keyring, 'seal' | 'open'>;
  /** Redis (REDIS_URL) shares entries between processes; without it each process keeps its own. */
  readonly redis?: Redis | undefined;
  /** Bytes kept in process memory when there is no Redis. */
  readonly memoryBytes?: number;
  readonly logger?: CacheLogger;
}

export interface LlmCache {
  readonly cache: WorkspaceResponseCache;
  /** Listens for settings changes from every process; returns the unsubscribe. */
  subscribe(): Promise<() => Promise<void>>;
}

export function createLlmCache(options: LlmCacheOptions): LlmCache {
  const settings = new SettingsCache();
  const store =
    options.redis === undefined
      ? memoryStore(options.memoryBytes === undefined ? {} : { maxBytes: options.memoryBytes })
      : redisStore(options.redis);
  const cache = createResponseCache({
    db: options.db,
    keyring: options.keyring,
    store,
    settings,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return { cache, subscribe: () => subscribeCacheEvents(options.db, settings) };
}

/**
 * The cache store in process memory: `lru-cache`, bounded by the total
 * bytes of its values (least recently used go first), each entry with its
 * own TTL. `perf` lets tests move the clock instead of waiting.
 */
import { LRUCache } from 'lru-cache';
import type { CacheStore } from './store.js';

export const DEFAULT_MEMORY_BYTES = 64 * 1024 * 1024;

export interface MemoryStoreOptions {
  /** Total bytes of values kept (default 64 MiB). */
  readonly maxBytes?: number;
  /** The clock, in milliseconds (tests move it). */
  readonly now?: () => number;
}

export function memoryStore(options: MemoryStoreOptions = {}): CacheStore {
  const maxBytes = options.maxBytes ?? DEFAULT_MEMORY_BYTES;
  const now = options.now;
  const cache = new LRUCache<string, Buffer>({
    maxSize: maxBytes,
    // A value larger than the whole cache is not kept.
    maxEntrySize: maxBytes,
    sizeCalculation: (value, key) => value.length + key.length,
    ttlAutopurge: false,
    ...(now === undefined ? {} : { perf: { now }, ttlResolution: 0 }),
  });
  return {
    get(key) {
      return Promise.resolve(cache.get(key) ?? null);
    },
    set(key, value, ttlMs) {
      cache.set(key, value, { ttl: Math.max(1, Math.floor(ttlMs)) });
      return Promise.resolve();
    },
    delete(key) {
      cache.delete(key);
      return Promise.resolve();
    },
  };
}

/**
 * Where sealed cache entries live: Redis when REDIS_URL is set (shared by
 * every process), else process memory. Both hold opaque bytes under the
 * keys of cache-key.ts and forget them after their TTL. A store that fails
 * (Redis away) fails the cache, never the call: the response cache treats
 * an error as a miss and logs it.
 */
export interface CacheStore {
  get(key: string): Promise<Buffer | null>;
  set(key: string, value: Buffer, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
}

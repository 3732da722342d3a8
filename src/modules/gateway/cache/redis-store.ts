/** The cache store in Redis (ioredis): `SET key value PX ttl`, `GET` as bytes. */
import type { Redis } from 'ioredis';
import type { CacheStore } from './store.js';

export function redisStore(redis: Redis): CacheStore {
  return {
    async get(key) {
      return redis.getBuffer(key);
    },
    async set(key, value, ttlMs) {
      await redis.set(key, value, 'PX', Math.max(1, Math.floor(ttlMs)));
    },
    async delete(key) {
      await redis.del(key);
    },
  };
}

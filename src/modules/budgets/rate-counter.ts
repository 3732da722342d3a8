/**
 * Fixed one-minute windows counting a weight per workspace: requests (weight
 * 1) and tokens (the call's worst case). With Redis every process shares the
 * counts (INCRBY and PEXPIRE in one Lua script, so a key never lives without
 * its expiry); without Redis, or while Redis fails, each process counts its
 * own, as the HTTP request limit does (src/api/rate-limit.ts).
 *
 * Not @fastify/rate-limit's stores: they count 1 per call and a
 * tokens-per-minute limit needs a weight; and they hang off a Fastify
 * request, where an agent run has none.
 */
import type { Redis } from 'ioredis';

export interface CountResult {
  /** The window's total including this weight. */
  readonly total: number;
  /** Milliseconds until the window ends. */
  readonly resetMs: number;
}

export interface RateCounter {
  add(key: string, weight: number): Promise<CountResult>;
  /** Takes back a weight added to the current window (a call refused by another limit). */
  remove(key: string, weight: number): Promise<void>;
}

const WINDOW_MS = 60_000;
const PREFIX = 'wardroom-llm-rate-';

const ADD = `
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if total == tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return total`;

type WithAdd = Redis & {
  wardroomRateAdd(key: string, weight: number, ttlMs: number): Promise<number>;
};

export function createRateCounter(
  redis?: Redis,
  onRedisError?: (error: unknown) => void,
  clock: () => number = Date.now,
): RateCounter {
  const local = localCounter(clock);
  if (redis === undefined) return local;
  if (!('wardroomRateAdd' in redis)) {
    redis.defineCommand('wardroomRateAdd', { numberOfKeys: 1, lua: ADD });
  }
  const shared = redis as WithAdd;
  return {
    async add(key, weight) {
      const { name, resetMs } = windowKey(key, clock());
      try {
        const total = await shared.wardroomRateAdd(name, weight, WINDOW_MS * 2);
        return { total, resetMs };
      } catch (error) {
        onRedisError?.(error);
        return local.add(key, weight);
      }
    },
    async remove(key, weight) {
      const { name } = windowKey(key, clock());
      try {
        await shared.decrby(name, weight);
      } catch (error) {
        onRedisError?.(error);
        await local.remove(key, weight);
      }
    },
  };
}

function windowKey(key: string, now: number): { name: string; resetMs: number } {
  const index = Math.floor(now / WINDOW_MS);
  return { name: `${PREFIX}${key}:${index}`, resetMs: (index + 1) * WINDOW_MS - now };
}

function localCounter(clock: () => number): RateCounter {
  const counts = new Map<string, number>();
  let current = -1;
  const roll = () => {
    const index = Math.floor(clock() / WINDOW_MS);
    if (index !== current) {
      // Only the current window's counts matter: drop the rest.
      counts.clear();
      current = index;
    }
  };
  return {
    add(key, weight) {
      roll();
      const { name, resetMs } = windowKey(key, clock());
      const total = (counts.get(name) ?? 0) + weight;
      counts.set(name, total);
      return Promise.resolve({ total, resetMs });
    },
    remove(key, weight) {
      roll();
      const { name } = windowKey(key, clock());
      const total = counts.get(name);
      if (total !== undefined) counts.set(name, Math.max(0, total - weight));
      return Promise.resolve();
    },
  };
}

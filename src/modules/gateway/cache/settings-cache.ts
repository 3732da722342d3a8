/**
 * Each workspace's cache settings (with its opened salt), cached per
 * process so that a call through the gateway does not pay a transaction of
 * its own just to learn that the workspace's cache is off. The pipeline's
 * own transaction is not available here (the ResponseCache port takes a
 * workspace id, and the provider call happens outside any transaction), so
 * this is the session cache's pattern (auth/session-cache.ts):
 *
 * - an entry is trusted for a short TTL (default 30 s), then read again;
 * - every change of the settings (PUT, flush) sends a NOTIFY on
 *   `wardroom_llm_cache` inside its transaction, heard only if it commits,
 *   and every process drops that workspace's entry at once;
 * - after the listening connection is lost and back, everything is dropped.
 *
 * A dropped salt is zeroed. The payload carries the workspace id only.
 */
import { z } from 'zod';
import { parsePayload, type Database } from '../../../db/database.js';
import { principalOf, type TenantTx } from '../../../db/tenant-tx.js';
import { sql } from 'kysely';
import type { CacheSettings } from './settings.js';

export const CACHE_EVENTS_CHANNEL = 'wardroom_llm_cache';
export const DEFAULT_SETTINGS_TTL_MS = 30_000;
const MAX_ENTRIES = 50_000;

export interface SettingsCacheOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
}

interface Entry {
  readonly settings: CacheSettings;
  readonly until: number;
}

export class SettingsCache {
  readonly #entries = new Map<string, Entry>();
  /** Loads in flight, so concurrent calls of one workspace share one read. */
  readonly #loading = new Map<string, Promise<CacheSettings>>();
  /** Bumped by each drop: a load that began before it is not kept. */
  #generation = 0;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: SettingsCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_SETTINGS_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  async get(workspaceId: string, load: () => Promise<CacheSettings>): Promise<CacheSettings> {
    const entry = this.#entries.get(workspaceId);
    if (entry !== undefined) {
      if (entry.until > this.#now()) return entry.settings;
      this.drop(workspaceId);
    }
    const pending = this.#loading.get(workspaceId);
    if (pending !== undefined) return pending;
    const generation = this.#generation;
    const loading = load().then(
      (settings) => {
        this.#loading.delete(workspaceId);
        if (generation === this.#generation) this.#keep(workspaceId, settings);
        return settings;
      },
      (error: unknown) => {
        this.#loading.delete(workspaceId);
        throw error;
      },
    );
    this.#loading.set(workspaceId, loading);
    return loading;
  }

  #keep(workspaceId: string, settings: CacheSettings): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.drop(oldest);
    }
    this.#entries.set(workspaceId, { settings, until: this.#now() + this.#ttlMs });
  }

  drop(workspaceId: string): void {
    this.#generation += 1;
    this.#loading.delete(workspaceId);
    const entry = this.#entries.get(workspaceId);
    if (entry === undefined) return;
    this.#entries.delete(workspaceId);
    entry.settings.salt?.fill(0);
  }

  clear(): void {
    this.#generation += 1;
    this.#loading.clear();
    for (const entry of this.#entries.values()) entry.settings.salt?.fill(0);
    this.#entries.clear();
  }
}

const cacheEvent = z.strictObject({ tenant_id: z.uuid() });

/** Queues, for commit of `tx`, the news that its workspace's cache settings changed. */
export async function notifySettingsChanged(tx: TenantTx): Promise<void> {
  const payload = JSON.stringify({ tenant_id: principalOf(tx).tenantId });
  await sql`select pg_notify(${CACHE_EVENTS_CHANNEL}, ${payload})`.execute(tx);
}

/** Keeps `cache` in step with every process's settings changes until the returned function is called. */
export async function subscribeCacheEvents(
  db: Pick<Database, 'listen'>,
  cache: Pick<SettingsCache, 'drop' | 'clear'>,
  onEvent?: (event: 'changed' | 'reconnected') => void,
): Promise<() => Promise<void>> {
  return db.listen(CACHE_EVENTS_CHANNEL, {
    message(payload) {
      const event = parsePayload(payload, cacheEvent);
      if (event === undefined) return;
      cache.drop(event.tenant_id);
      onEvent?.('changed');
    },
    reconnected() {
      cache.clear();
      onEvent?.('reconnected');
    },
  });
}

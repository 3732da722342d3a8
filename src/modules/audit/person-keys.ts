/**
 * Each person's audit key: 32 random bytes, stored only wrapped by the
 * master key in `wardroom.audit_person_keys` (migration 026), reached only
 * through its definer functions. Unwrapped keys are cached in process
 * memory, at most `maxKeys` of them (least recently used go first), each
 * trusted for `keyTtlMs` after it was read; an erasure anywhere NOTIFYs
 * every process, which forgets the erased keys at once.
 *
 * A key is created in the transaction that first needs it, so a key made
 * for a request that rolls back is gone with the request; such a key is
 * used for that transaction only and cached once a later read finds it
 * committed.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/tenant-tx.js';
import type { SystemTx } from '../../db/system-tx.js';
import type { Database } from '../../db/database.js';
import { parsePayload } from '../../db/database.js';
import { z } from 'zod';
import { randomKey, type KekProvider, type WrapContext } from '../crypto/index.js';

export const PERSON_KEY_EVENTS_CHANNEL = 'wardroom_audit_person_keys';

const READ_BATCH = 1000;

/** No workspace: the wrap binds the person instead. */
const NO_TENANT = '00000000-0000-0000-0000-000000000000';

interface StoredKey {
  readonly kek_id: string;
  readonly kek_version: number;
  readonly wrapped: string;
}

export interface PersonKeyOptions {
  /** Keys kept unwrapped in memory (default 10,000). */
  readonly maxKeys?: number;
  /** How long a cached key is used after it was read (default 60 s). */
  readonly keyTtlMs?: number;
  readonly now?: () => number;
}

interface Cached {
  readonly key: Buffer;
  readonly until: number;
}

export class PersonKeys {
  private readonly cache = new Map<string, Cached>();
  private readonly maxKeys: number;
  private readonly ttl: number;
  private readonly now: () => number;

  constructor(
    private readonly kek: KekProvider,
    options: PersonKeyOptions = {},
  ) {
    this.maxKeys = options.maxKeys ?? 10_000;
    this.ttl = options.keyTtlMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** A cached key, refreshed in the LRU order; undefined when absent or expired. */
  cached(person: string): Buffer | undefined {
    const hit = this.cache.get(person);
    if (hit === undefined) return undefined;
    this.cache.delete(person);
    if (hit.until <= this.now()) {
      hit.key.fill(0);
      return undefined;
    }
    this.cache.set(person, hit);
    return hit.key;
  }

  private remember(person: string, key: Buffer): void {
    this.forget([person]);
    this.cache.set(person, { key, until: this.now() + this.ttl });
    while (this.cache.size > this.maxKeys) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.forget([oldest]);
    }
  }

  forget(persons: readonly string[]): void {
    for (const person of persons) {
      this.cache.get(person)?.key.fill(0);
      this.cache.delete(person);
    }
  }

  forgetAll(): void {
    this.forget([...this.cache.keys()]);
  }

  private unwrap(person: string, stored: StoredKey): Promise<Buffer> {
    return this.kek.unwrap(
      {
        kekId: stored.kek_id,
        kekVersion: stored.kek_version,
        wrapped: Buffer.from(stored.wrapped, 'base64'),
      },
      wrapContext(person),
    );
  }

  /**
   * The person's key, created if they have none. `durable` is false for a
   * key this transaction created: it is not cached (it exists only if the
   * transaction commits).
   */
  async keyFor(tx: TenantTx, person: string): Promise<{ key: Buffer; durable: boolean }> {
    const cached = this.cached(person);
    if (cached !== undefined) return { key: cached, durable: true };
    const [found] = await this.read(tx, [person]);
    if (found !== undefined) return { key: found[1], durable: true };
    const fresh = randomKey();
    const wrapped = await this.kek.wrap(fresh, wrapContext(person));
    const { rows } = await sql<{ value: StoredKey & { created: boolean } }>`
      select wardroom.audit_person_key(${person}, ${wrapped.kekId}, ${wrapped.kekVersion},
        ${wrapped.wrapped}) as value`.execute(tx);
    const row = rows[0]?.value;
    if (row === undefined) throw new Error('audit_person_key returned nothing');
    if (row.created) return { key: fresh, durable: false };
    fresh.fill(0);
    const key = await this.unwrap(person, row);
    this.remember(person, key);
    return { key, durable: true };
  }

  /** The keys of `persons` that still exist (cached or read), as [person, key] pairs. */
  async read(tx: TenantTx, persons: readonly string[]): Promise<[string, Buffer][]> {
    const out: [string, Buffer][] = [];
    const missing: string[] = [];
    for (const person of persons) {
      const key = this.cached(person);
      if (key === undefined) missing.push(person);
      else out.push([person, key]);
    }
    // The function reads at most READ_BATCH persons a call.
    for (let at = 0; at < missing.length; at += READ_BATCH) {
      const batch = missing.slice(at, at + READ_BATCH);
      const { rows } = await sql<{ value: (StoredKey & { person: string })[] }>`
        select wardroom.audit_person_keys_read(${batch}::text[]) as value`.execute(tx);
      for (const stored of rows[0]?.value ?? []) {
        const key = await this.unwrap(stored.person, stored);
        this.remember(stored.person, key);
        out.push([stored.person, key]);
      }
    }
    return out;
  }
}

function wrapContext(person: string): WrapContext {
  return { tenantId: NO_TENANT, keyId: `audit-person:${person}`, version: 1 };
}

const erasedPayload = z.strictObject({ erased: z.array(z.string().max(300)).max(10_000) });

/** Every live PersonKeys of this process, so an erasure here forgets at once. */
const live = new Set<WeakRef<PersonKeys>>();

export function trackPersonKeys(keys: PersonKeys): void {
  live.add(new WeakRef(keys));
}

/**
 * Erases a user's audit keys (theirs and their API tokens'): their sealed
 * fields in every workspace's log stay, chained, but never open again. Every
 * process forgets the keys (NOTIFY, heard once this transaction commits).
 */
export async function erasePersonKeys(tx: SystemTx, userId: string): Promise<string[]> {
  const [row] = await tx.call('audit_person_keys_erase', userId);
  const erased = (row ?? []) as string[];
  for (const ref of live) {
    const keys = ref.deref();
    if (keys === undefined) live.delete(ref);
    else keys.forget(erased);
  }
  if (erased.length > 0) {
    await tx.notify(PERSON_KEY_EVENTS_CHANNEL, JSON.stringify({ erased }));
  }
  return erased;
}

/** Keeps `keys` in step with every process's erasures; a lost connection empties it. */
export function subscribePersonKeyEvents(
  db: Pick<Database, 'listen'>,
  keys: Pick<PersonKeys, 'forget' | 'forgetAll'>,
): Promise<() => Promise<void>> {
  return db.listen(PERSON_KEY_EVENTS_CHANNEL, {
    message(payload) {
      const event = parsePayload(payload, erasedPayload);
      if (event === undefined) keys.forgetAll();
      else keys.forget(event.erased);
    },
    reconnected() {
      keys.forgetAll();
    },
  });
}

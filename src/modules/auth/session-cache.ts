/**
 * Resolved sessions, cached per server process so that a signed-in request
 * does not pay a transaction of its own (the session lookup, which also
 * moves the idle deadline) on every call. An entry is trusted for a short
 * TTL (default 5 s, never longer than the idle timeout), then the session
 * is looked up, and touched, again: the idle deadline moves at most a TTL
 * late, and a session that ends by time is seen at most a TTL late.
 *
 * Revocation must reach every process at once: revoking a session, signing
 * out and signing out everywhere send a NOTIFY on `wardroom_sessions` in
 * the revoking transaction (heard only if it commits) with the revoked
 * session ids; every process drops those entries on hearing it, and the
 * revoking process drops them itself before answering. A notification
 * lost to an outage of the listening connection is bounded by the TTL, and
 * the cache is emptied once that connection is back. The payload carries
 * session ids only, never a token or its hash.
 */
import { z } from 'zod';
import { parsePayload, type Database } from '../../db/database.js';
import type { SystemTx } from '../../db/system-tx.js';
import type { Session } from './sessions.js';

export const SESSION_EVENTS_CHANNEL = 'wardroom_sessions';
export const DEFAULT_SESSION_CACHE_TTL_MS = 5000;
/** Entries kept at most; the oldest go first. */
const MAX_ENTRIES = 50_000;

export interface SessionCacheOptions {
  /** How long a resolved session is trusted (default 5 s). */
  readonly ttlMs?: number;
  /** The clock (tests move it). */
  readonly now?: () => number;
}

export class SessionCache {
  readonly #entries = new Map<string, { readonly session: Session; readonly until: number }>();
  /** Session id → the token it is cached under. */
  readonly #tokens = new Map<string, string>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: SessionCacheOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_SESSION_CACHE_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** The live cached session of a token, if one is fresh. */
  get(token: string): Session | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > this.#now()) return entry.session;
    this.#drop(token, entry.session.sessionId);
    return undefined;
  }

  /** Keeps a session just resolved from the database, for the TTL (and `idleSeconds` at most). */
  keep(session: Session, idleSeconds: number): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.entries().next().value;
      if (oldest !== undefined) this.#drop(oldest[0], oldest[1].session.sessionId);
    }
    const ttl = Math.min(this.#ttlMs, idleSeconds * 1000);
    this.#entries.set(session.token, { session, until: this.#now() + ttl });
    this.#tokens.set(session.sessionId, session.token);
  }

  /** Drops revoked sessions (by id). */
  revoked(sessionIds: readonly string[]): void {
    for (const id of sessionIds) {
      const token = this.#tokens.get(id);
      if (token !== undefined) this.#drop(token, id);
    }
  }

  clear(): void {
    this.#entries.clear();
    this.#tokens.clear();
  }

  #drop(token: string, sessionId: string): void {
    this.#entries.delete(token);
    this.#tokens.delete(sessionId);
  }
}

const sessionEvent = z.strictObject({ revoked: z.array(z.uuid()).max(10_000) });

/** Queues, for commit of `tx`, the news that these sessions are revoked. */
export async function notifySessionsRevoked(
  tx: Pick<SystemTx, 'notify'>,
  sessionIds: readonly string[],
): Promise<void> {
  if (sessionIds.length === 0) return;
  await tx.notify(SESSION_EVENTS_CHANNEL, JSON.stringify({ revoked: sessionIds }));
}

/**
 * Keeps `cache` in step with every process's revocations until the returned
 * function is called. After a lost connection the cache is emptied, since
 * notifications may have been missed.
 */
export async function subscribeSessionEvents(
  db: Pick<Database, 'listen'>,
  cache: Pick<SessionCache, 'revoked' | 'clear'>,
  onEvent?: (event: 'revoked' | 'reconnected') => void,
): Promise<() => Promise<void>> {
  return db.listen(SESSION_EVENTS_CHANNEL, {
    message(payload) {
      const event = parsePayload(payload, sessionEvent);
      if (event === undefined) return;
      cache.revoked(event.revoked);
      onEvent?.('revoked');
    },
    reconnected() {
      cache.clear();
      onEvent?.('reconnected');
    },
  });
}

/**
 * What the gateway's call pipeline asks of the parts around it. The pipeline
 * (keys → routing → budget → cache → provider → audit) is one function; the
 * budget guard and the response cache are separate modules that implement
 * these ports, so each can be tested on its own and the pipeline can be
 * tested with either switched off (a workspace with no budget and its cache
 * off is a real configuration, not a test double).
 */
import type { TenantTx } from '../../db/tenant-tx.js';
import type { Operation, ProviderName, ProviderResult, Usage } from './providers/types.js';

/** Where the key for a call came from; metering keeps BYOK and platform traffic apart. */
export type KeySource =
  | { readonly source: 'byok'; readonly credentialId: string }
  | { readonly source: 'platform'; readonly provider: ProviderName }
  | { readonly source: 'offline' };

/** Who is calling, and with what: the budget scopes and the audit actor. */
export interface CallScope {
  readonly workspaceId: string;
  /** The member on whose behalf the call runs (the token's owner for a bearer token). */
  readonly userId: string;
  /** The API token, when the call came with one. */
  readonly tokenId: string | null;
  readonly key: KeySource;
}

/** What a reservation is for: the worst case, from `worstCaseCost`. */
export interface ReservationRequest {
  readonly operation: Operation;
  readonly provider: ProviderName;
  readonly model: string;
  readonly worstCaseMicros: bigint;
  /** Upper bound of input plus output tokens, for tokens-per-minute limits. */
  readonly worstCaseTokens: number;
  /** Correlates the reservation with the call's audit events. */
  readonly callId: string;
}

/** The actual spend, once known. */
export interface Settlement {
  readonly costMicros: bigint;
  readonly usage: Usage;
  readonly cacheHit: boolean;
}

/**
 * A held reservation. Exactly one of `settle` or `release` takes effect (a
 * conditional update of its ledger row, in whichever process runs it); the
 * second is a no-op. Both run in the caller's transaction, so a call's
 * settlement commits with its outcome event. A reservation neither settled
 * nor released (the process died) expires and stops counting.
 */
export interface Reservation {
  readonly id: string;
  /**
   * Records the actual cost in `tx`. Answers the work to start once `tx` has
   * committed (notices and emails, in the background): call it then, never
   * before, and not at all if `tx` rolls back.
   */
  settle(tx: TenantTx, actual: Settlement): Promise<() => void>;
  release(tx: TenantTx): Promise<void>;
  /**
   * The transaction that reserved rolled back after `reserve` returned: give
   * back what was counted outside the database (the per-minute counters).
   */
  abandon(): Promise<void>;
}

/**
 * Budgets and rate limits. `reserve` runs in the caller's transaction (the
 * one that commits the call's intent event, so the call costs one commit
 * before it is sent). It throws `budget_exceeded`, `rate_limited` or
 * `llm_key_suspended` (AppError) and holds nothing when it does; the caller
 * then rolls back.
 */
export interface BudgetGuard {
  reserve(tx: TenantTx, scope: CallScope, request: ReservationRequest): Promise<Reservation>;
}

/** A response the cache can give back: a JSON body, or a finished stream's events. */
export type CachedResponse =
  | {
      readonly kind: 'json';
      readonly status: number;
      readonly body: unknown;
      readonly usage: Usage;
    }
  | {
      readonly kind: 'stream';
      readonly status: number;
      readonly events: readonly { readonly event: string | undefined; readonly data: string }[];
      readonly usage: Usage;
    };

/** The request a cache entry answers, before canonicalization. */
export interface CacheableRequest {
  readonly operation: Operation;
  readonly model: string;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The per-workspace response cache; `lookup` answers null when the workspace's cache is off. */
export interface ResponseCache {
  lookup(workspaceId: string, request: CacheableRequest): Promise<CachedResponse | null>;
  store(workspaceId: string, request: CacheableRequest, response: CachedResponse): Promise<void>;
}

/** One call through the gateway, as a route or an agent run asks for it. */
export interface GatewayRequest {
  readonly scope: Omit<CallScope, 'key'>;
  readonly operation: Operation;
  /** The body in the operation's wire format, `model` included. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The caller's cancellation (client gone, run cancelled): it stops the upstream call. */
  readonly signal?: AbortSignal;
  /** The caller's address, recorded in the call's audit events. */
  readonly ip?: string;
  /** Use this `llm_api_key` credential (active, the operation's provider's) instead of the newest. */
  readonly credentialId?: string;
}

/**
 * The gateway as its callers see it: keys, routing, budget, cache, provider
 * and audit behind one call. The result is the provider's (or the cache's),
 * with the call id that correlates its audit events. What follows the answer
 * (settling the budget, storing in the cache, the outcome event) runs after
 * the answer is handed over, in one transaction: `idle()` resolves once all
 * of it started so far has finished (tests, and shutdown, wait on it).
 */
export interface Gateway {
  call(request: GatewayRequest): Promise<{
    readonly callId: string;
    readonly result: ProviderResult;
  }>;
  idle(): Promise<void>;
}

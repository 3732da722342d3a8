/**
 * The call pipeline behind the `Gateway` port, in order:
 * checks (size, model, tools) → the worst-case price → one transaction:
 * region, route, key (opened), budget.reserve (optional), the intent event
 * → cache.lookup (optional) → the provider (or the offline one) → the
 * answer goes to the caller → one transaction: settle at the actual cost
 * (or release on failure) and the outcome event → cache.store (a complete
 * success only) and the budget's notices.
 *
 * One commit stands between the caller and the upstream, and none between
 * the upstream's answer and the caller: what follows the answer runs after
 * it is handed over (`idle()` waits for it). No transaction is open while
 * the upstream works. The key lives in one call's frame and goes only to
 * the provider.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError, isAppError } from '../../../base/errors.js';
import type { RoutesTable } from '../../../base/llm-routes.js';
import { isUuid } from '../../../base/uuid.js';
import type { Database } from '../../../db/database.js';
import { tokenPrincipal, userPrincipal, type Principal } from '../../../db/principal.js';
import type { Keyring } from '../../keys/index.js';
import { actualCost, worstCaseCost, type CostEstimate } from '../pricing/cost.js';
import type { PriceBook } from '../pricing/price-book.js';
import { createHttpProvider } from '../providers/http-provider.js';
import { createOfflineProvider } from '../providers/offline-provider.js';
import {
  isStreaming,
  operationProvider,
  type Provider,
  type ProviderResult,
  type Usage,
} from '../providers/types.js';
import type {
  BudgetGuard,
  CachedResponse,
  CacheableRequest,
  Gateway,
  GatewayRequest,
  Reservation,
  ResponseCache,
} from '../ports.js';
import { recordOutcome, type CallFacts, type CallOutcome } from './call-events.js';
import type { PlatformKeys } from './keys.js';
import { checkSize, checkTools, requestModel } from './request-checks.js';
import { RefusedWithFacts, resolveCall, type Resolved } from './resolve-call.js';
import { replayed, watchedStream } from './watched-stream.js';

export interface GatewayDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Pick<Keyring, 'open'>;
  readonly prices: PriceBook;
  readonly routes: RoutesTable;
  readonly platformKeys: PlatformKeys;
  /** Per upstream call: wait for headers, then between body pieces. */
  readonly timeoutMs: number;
  /** Largest request body (JSON bytes) forwarded. */
  readonly maxPromptBytes: number;
  /** The real upstreams (default: `createHttpProvider()`). */
  readonly provider?: Provider;
  /** For a workspace with no key at all (default: `createOfflineProvider()`). */
  readonly offline?: Provider;
  /** Budgets and rate limits; without it, no budget applies. */
  readonly budget?: BudgetGuard | undefined;
  /** The response cache; without it, nothing is cached. */
  readonly cache?: ResponseCache | undefined;
  /** Failures after the answer (the outcome, the cache) are logged here (call id and code only). */
  readonly logger?: Pick<Logger, 'error'>;
}

type Full = Required<Pick<GatewayDeps, 'provider' | 'offline'>> & GatewayDeps;
type CallResult = Awaited<ReturnType<Gateway['call']>>;
/** Starts work that follows a call's answer; the promise never rejects. */
type After = (work: Promise<void>) => void;

const ZERO: Usage = { inputTokens: 0, outputTokens: 0 };
const nothing = (): void => undefined;

export function createGateway(deps: GatewayDeps): Gateway {
  const full: Full = {
    ...deps,
    provider: deps.provider ?? createHttpProvider(),
    offline: deps.offline ?? createOfflineProvider(),
  };
  const pending = new Set<Promise<void>>();
  const after: After = (work) => {
    const p = work.finally(() => pending.delete(p));
    pending.add(p);
  };
  return {
    call: (request) => new GatewayCall(full, request, after).run(),
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

function callPrincipal(request: GatewayRequest, callId: string): Principal {
  const origin = { correlationId: callId, ...(request.ip === undefined ? {} : { ip: request.ip }) };
  const { scope } = request;
  return scope.tokenId === null
    ? userPrincipal(scope.workspaceId, scope.userId, origin)
    : tokenPrincipal({ tenantId: scope.workspaceId, tokenId: scope.tokenId }, origin);
}

/** How a call ended, as its closing transaction records it. */
interface Ending {
  readonly outcome: CallOutcome;
  readonly errorCode?: string;
  readonly cacheHit: boolean;
  readonly usage: Usage;
  /** A complete answer to keep in the cache. */
  readonly store?: CachedResponse | undefined;
  readonly latencyMs: number;
}

/** One call through the pipeline; its fields are what is known so far. */
class GatewayCall {
  private readonly callId = randomUUID();
  private readonly principal: Principal;
  private readonly started = Date.now();
  private facts: CallFacts;
  private intentId: string | undefined;
  private reservation: Reservation | undefined;
  private closed = false;

  constructor(
    private readonly deps: Full,
    private readonly request: GatewayRequest,
    private readonly after: After,
  ) {
    this.principal = callPrincipal(request, this.callId);
    const { operation, body } = request;
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    this.facts = { operation, provider: operationProvider[operation], model };
  }

  async run(): Promise<CallResult> {
    let resolved: Resolved;
    try {
      const worst = this.check();
      const { scope, credentialId, operation } = this.request;
      resolved = await resolveCall(this.deps, this.principal, {
        facts: this.facts,
        credentialId,
        stream: isStreaming(this.request),
        scope,
        reserve: {
          operation,
          worstCaseMicros: BigInt(worst.micros),
          worstCaseTokens: worst.inputTokens + worst.outputTokens,
          callId: this.callId,
        },
      });
    } catch (error) {
      if (error instanceof RefusedWithFacts) {
        this.facts = error.facts;
        return this.fail(error.error);
      }
      return this.fail(error);
    }
    this.facts = resolved.facts;
    this.intentId = resolved.intentId;
    this.reservation = resolved.reservation;
    let cached: CachedResponse | null | undefined;
    try {
      this.request.signal?.throwIfAborted();
      cached = await this.deps.cache?.lookup(this.request.scope.workspaceId, this.cacheable());
    } catch (error) {
      return this.fail(error);
    }
    if (cached !== undefined && cached !== null) {
      this.close({ outcome: 'ok', cacheHit: true, usage: cached.usage, latencyMs: this.elapsed() });
      return { callId: this.callId, result: replayed(cached) };
    }
    let result: ProviderResult;
    try {
      result = await this.send(resolved);
    } catch (error) {
      return this.fail(error);
    }
    if (result.kind === 'json') {
      this.finish(result.usage, { ...result });
      return { callId: this.callId, result };
    }
    const ends = { finish: this.finish.bind(this), fail: this.fail.bind(this) };
    return {
      callId: this.callId,
      result: watchedStream(result, this.deps.cache !== undefined, ends),
    };
  }

  /** What is refused before anything is opened: size, model, tools, an unpriced model. */
  private check(): CostEstimate {
    const { operation, body, signal, credentialId } = this.request;
    signal?.throwIfAborted();
    checkSize(body, this.deps.maxPromptBytes);
    const model = requestModel(body);
    this.facts = { ...this.facts, model };
    checkTools(operation, body);
    if (credentialId !== undefined && !isUuid(credentialId)) {
      throw new AppError('validation_failed', 'The credential id must be a UUID');
    }
    return worstCaseCost(this.deps.prices, { operation, model, body });
  }

  private cacheable(): CacheableRequest {
    const { operation, body } = this.request;
    return { operation, model: this.facts.model, body };
  }

  private elapsed(): number {
    return Date.now() - this.started;
  }

  private send(resolved: Resolved): Promise<ProviderResult> {
    const { operation, body, signal } = this.request;
    const { apiKey } = resolved.key;
    const endpoint = resolved.endpoint;
    const upstream =
      apiKey === undefined || endpoint === undefined ? this.deps.offline : this.deps.provider;
    return upstream.call({
      operation,
      model: this.facts.model,
      body,
      apiKey: apiKey ?? '',
      baseUrl: endpoint?.baseUrl ?? '',
      timeoutMs: this.deps.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** A complete answer, handed over: settle at its cost, record the outcome, cache it. */
  private finish(usage: Usage, store: CachedResponse | undefined): void {
    this.close({ outcome: 'ok', cacheHit: false, usage, store, latencyMs: this.elapsed() });
  }

  /** Any failure: close the call (in the background) and throw an AppError. */
  private async fail(error: unknown, usage: Usage = ZERO): Promise<never> {
    const failure = this.failureOf(error);
    const outcome: CallOutcome =
      failure.code === 'llm_cancelled'
        ? 'cancelled'
        : this.intentId === undefined
          ? 'refused'
          : 'error';
    this.close({
      outcome,
      errorCode: failure.code,
      cacheHit: false,
      usage,
      latencyMs: this.elapsed(),
    });
    return Promise.reject(failure);
  }

  private failureOf(error: unknown): AppError {
    if (this.request.signal?.aborted === true) {
      return new AppError('llm_cancelled', 'The caller cancelled the call');
    }
    if (isAppError(error)) return error;
    return new AppError('internal', 'Internal error', { cause: error });
  }

  /** Starts the call's closing work, once. */
  private close(ending: Ending): void {
    if (this.closed) return;
    this.closed = true;
    this.after(this.record(ending));
  }

  /**
   * The closing transaction: the reservation settled (a complete answer, a
   * cache hit at zero, or what a cut stream consumed) or released (nothing
   * counted), and the outcome event; then the budget's notices and the cache
   * store. Never throws: a failure is logged, the intent stays without an
   * outcome (`wardroom audit pending` lists it) and the reservation expires.
   */
  private async record(ending: Ending): Promise<void> {
    const held = this.reservation;
    this.reservation = undefined;
    const { usage } = ending;
    const counted = usage.inputTokens > 0 || usage.outputTokens > 0;
    let afterCommit = nothing;
    try {
      const cost =
        ending.cacheHit || !counted
          ? 0
          : actualCost(this.deps.prices, this.request.operation, this.facts.model, usage);
      afterCommit = await this.deps.db.withTenant(this.principal, async (tx) => {
        let next = nothing;
        if (held !== undefined && (ending.cacheHit || counted)) {
          const actual = { costMicros: BigInt(cost), usage, cacheHit: ending.cacheHit };
          next = await held.settle(tx, actual);
        } else if (held !== undefined) {
          await held.release(tx);
        }
        await recordOutcome(tx, this.facts, {
          intentId: this.intentId,
          outcome: ending.outcome,
          ...(ending.errorCode === undefined ? {} : { errorCode: ending.errorCode }),
          cacheHit: ending.cacheHit,
          usage,
          costMicros: cost,
          latencyMs: ending.latencyMs,
        });
        return next;
      });
    } catch (error) {
      this.logFailure(error, 'recording an LLM call outcome failed');
      return;
    }
    afterCommit();
    if (ending.store !== undefined && ending.outcome === 'ok') {
      const store = ending.store;
      await this.deps.cache
        ?.store(this.request.scope.workspaceId, this.cacheable(), store)
        .catch((error: unknown) =>
          this.logFailure(error, 'storing an LLM answer in the cache failed'),
        );
    }
  }

  private logFailure(error: unknown, message: string): void {
    this.deps.logger?.error(
      { callId: this.callId, code: isAppError(error) ? error.code : 'internal' },
      message,
    );
  }
}

/**
 * The call pipeline behind the `Gateway` port, in order:
 * checks (size, model, tools) → the worst-case price → region → route →
 * key (opened) → the intent event, committed → budget.reserve (optional) →
 * cache.lookup (optional; a hit settles at zero) → the provider (or the
 * offline one) → settle at the actual cost, or release on failure →
 * cache.store (a complete success only) → the outcome event.
 *
 * No transaction is open while the upstream works: each database step is
 * its own. The key lives in one call's frame and goes only to the provider.
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
import { recordOutcome, type CallFacts, type OutcomeFacts } from './call-events.js';
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
  /** Failures to record an outcome are logged here (call id and code only). */
  readonly logger?: Pick<Logger, 'error'>;
}

type Full = Required<Pick<GatewayDeps, 'provider' | 'offline'>> & GatewayDeps;
type CallResult = Awaited<ReturnType<Gateway['call']>>;

const ZERO: Usage = { inputTokens: 0, outputTokens: 0 };

export function createGateway(deps: GatewayDeps): Gateway {
  const full: Full = {
    ...deps,
    provider: deps.provider ?? createHttpProvider(),
    offline: deps.offline ?? createOfflineProvider(),
  };
  return { call: (request) => new GatewayCall(full, request).run() };
}

function callPrincipal(request: GatewayRequest, callId: string): Principal {
  const origin = { correlationId: callId, ...(request.ip === undefined ? {} : { ip: request.ip }) };
  const { scope } = request;
  return scope.tokenId === null
    ? userPrincipal(scope.workspaceId, scope.userId, origin)
    : tokenPrincipal({ tenantId: scope.workspaceId, tokenId: scope.tokenId }, origin);
}

/** One call through the pipeline; its fields are what is known so far. */
class GatewayCall {
  private readonly callId = randomUUID();
  private readonly principal: Principal;
  private readonly started = Date.now();
  private facts: CallFacts;
  private intentId: string | undefined;
  private reservation: Reservation | undefined;

  constructor(
    private readonly deps: Full,
    private readonly request: GatewayRequest,
  ) {
    this.principal = callPrincipal(request, this.callId);
    const { operation, body } = request;
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    this.facts = { operation, provider: operationProvider[operation], model };
  }

  async run(): Promise<CallResult> {
    let resolved: Resolved;
    let worst: CostEstimate;
    try {
      worst = this.check();
      resolved = await resolveCall(this.deps, this.principal, {
        facts: this.facts,
        credentialId: this.request.credentialId,
        worstCaseMicros: worst.micros,
        stream: isStreaming(this.request),
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
    let cached: CachedResponse | null | undefined;
    try {
      cached = await this.reserveAndLookup(resolved, worst);
    } catch (error) {
      return this.fail(error);
    }
    if (cached !== undefined && cached !== null) return this.answerFromCache(cached);
    let result: ProviderResult;
    try {
      result = await this.send(resolved);
    } catch (error) {
      return this.fail(error);
    }
    if (result.kind === 'json') {
      await this.finish(result.usage, { ...result });
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

  private async reserveAndLookup(
    resolved: Resolved,
    worst: CostEstimate,
  ): Promise<CachedResponse | null | undefined> {
    const { operation, scope } = this.request;
    this.reservation = await this.deps.budget?.reserve(
      { ...scope, key: resolved.key.source },
      {
        operation,
        provider: this.facts.provider,
        model: this.facts.model,
        worstCaseMicros: BigInt(worst.micros),
        worstCaseTokens: worst.inputTokens + worst.outputTokens,
        callId: this.callId,
      },
    );
    this.request.signal?.throwIfAborted();
    return this.deps.cache?.lookup(scope.workspaceId, this.cacheable());
  }

  private async answerFromCache(cached: CachedResponse): Promise<CallResult> {
    try {
      await this.reservation?.settle({ costMicros: 0n, usage: cached.usage, cacheHit: true });
    } catch (error) {
      return this.fail(error);
    }
    await this.outcome({ outcome: 'ok', cacheHit: true, usage: cached.usage, costMicros: 0 });
    return { callId: this.callId, result: replayed(cached) };
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

  /** A complete answer: settle at its cost, cache it, record the outcome. */
  private async finish(usage: Usage, store: CachedResponse | undefined): Promise<void> {
    let cost: number;
    try {
      cost = actualCost(this.deps.prices, this.request.operation, this.facts.model, usage);
      await this.reservation?.settle({ costMicros: BigInt(cost), usage, cacheHit: false });
      this.reservation = undefined;
      if (store !== undefined) {
        await this.deps.cache?.store(this.request.scope.workspaceId, this.cacheable(), store);
      }
    } catch (error) {
      return this.fail(error, usage);
    }
    await this.outcome({ outcome: 'ok', cacheHit: false, usage, costMicros: cost });
  }

  /** Any failure: close the reservation, record the outcome, throw an AppError. */
  private async fail(error: unknown, usage: Usage = ZERO): Promise<never> {
    const failure = this.failureOf(error);
    const cost = await this.closeReservation(usage);
    const outcome =
      failure.code === 'llm_cancelled'
        ? 'cancelled'
        : this.intentId === undefined
          ? 'refused'
          : 'error';
    await this.outcome({
      outcome,
      errorCode: failure.code,
      cacheHit: false,
      usage,
      costMicros: cost,
    });
    throw failure;
  }

  private failureOf(error: unknown): AppError {
    if (this.request.signal?.aborted === true) {
      return new AppError('llm_cancelled', 'The caller cancelled the call');
    }
    if (isAppError(error)) return error;
    return new AppError('internal', 'Internal error', { cause: error });
  }

  /**
   * After a failure: what a cut stream consumed is spend, so it is settled;
   * with nothing counted, the reservation is released. Never throws.
   */
  private async closeReservation(usage: Usage): Promise<number> {
    const held = this.reservation;
    this.reservation = undefined;
    if (held === undefined) return 0;
    try {
      if (usage.inputTokens === 0 && usage.outputTokens === 0) {
        await held.release();
        return 0;
      }
      const cost = actualCost(this.deps.prices, this.request.operation, this.facts.model, usage);
      await held.settle({ costMicros: BigInt(cost), usage, cacheHit: false });
      return cost;
    } catch {
      await held.release().catch(() => undefined);
      return 0;
    }
  }

  private async outcome(o: Omit<OutcomeFacts, 'intentId' | 'latencyMs'>): Promise<void> {
    const full: OutcomeFacts = {
      ...o,
      intentId: this.intentId,
      latencyMs: Date.now() - this.started,
    };
    try {
      await this.deps.db.withTenant(this.principal, (tx) => recordOutcome(tx, this.facts, full));
    } catch (error) {
      // The intent stays without an outcome (`wardroom audit pending` lists it).
      this.deps.logger?.error(
        { callId: this.callId, code: isAppError(error) ? error.code : 'internal' },
        'recording an LLM call outcome failed',
      );
    }
  }
}

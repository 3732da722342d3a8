/**
 * `createBudgetGuard(deps)`: the gateway's `BudgetGuard`. `reserve`, in the
 * caller's tenant transaction (the one that commits the call's intent),
 *   1. refuses a suspended key (`llm_key_suspended`);
 *   2. counts the call against the workspace's requests and tokens per
 *      minute (`rate_limited`, with `retryAfterSeconds`);
 *   3. locks every budget that applies (workspace, the member, the token;
 *      day and month) in id order, then reads their spend in a fresh
 *      statement, and refuses (`budget_exceeded`) when settled + live
 *      reservations + this worst case would pass any hard limit;
 *   4. records the reservation in llm_usage.
 * A refusal throws, and the caller rolls back: nothing is held. Exactly one of
 * `settle` and `release` takes effect (a conditional UPDATE on status
 * 'reserved'), in whichever process calls it. `settle` records the actual
 * cost, even above the reservation, then runs the velocity tripwire in the
 * same transaction (the caller's, which also records the call's outcome);
 * soft-limit notices and emails follow after commit, best effort.
 */
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { AppError } from '../../base/errors.js';
import { isUuid } from '../../base/uuid.js';
import type { Database } from '../../db/database.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import type { BudgetGuard, CallScope, ReservationRequest } from '../gateway/index.js';
import type { Mailer } from '../mail/index.js';
import { keyColumns, keyLabel, type KeyColumns } from './key-ref.js';
import { checkAmount } from './micros.js';
import { usd } from './notify.js';
import { openReservation, type ReservationContext } from './reservation.js';
import { createRateCounter, type RateCounter } from './rate-counter.js';
import { budgetSpend, lockBudgets, type BudgetSpend } from './spend.js';
import { DEFAULT_VELOCITY, isSuspended, type VelocitySettings } from './tripwire.js';

export interface BudgetGuardDeps {
  readonly db: Pick<Database, 'withTenant'>;
  /** Shares the per-minute counts across processes; without it each process counts its own. */
  readonly redis?: Redis | undefined;
  /** Emails soft-limit notices and suspensions; without it none is sent (the audit events are). */
  readonly mailer?: Pick<Mailer, 'send'> | undefined;
  readonly logger?: Pick<Logger, 'warn'> | undefined;
  /** How long a reservation counts unless settled or released (default 600 s). */
  readonly reservationSeconds?: number;
  readonly velocity?: Partial<VelocitySettings>;
  /** The clock of the per-minute windows (default Date.now). */
  readonly clock?: () => number;
}

/** The guard, and the background work it started (tests wait on it). */
export interface BudgetGuardService extends BudgetGuard {
  /** Resolves when the notices and emails started so far are done. */
  idle(): Promise<void>;
}

const NUMERIC_LIMIT = 1_000_000_000;

export function createBudgetGuard(deps: BudgetGuardDeps): BudgetGuardService {
  const counter = createRateCounter(
    deps.redis,
    (error) =>
      deps.logger?.warn(
        { err: error },
        'redis unavailable: LLM rate limits counted in this process',
      ),
    deps.clock,
  );
  const ttl = deps.reservationSeconds ?? 600;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
    throw new AppError('config_invalid', 'reservationSeconds must be an integer from 1 to 86400');
  }
  const velocity: VelocitySettings = { ...DEFAULT_VELOCITY, ...deps.velocity };
  const pending = new Set<Promise<void>>();
  const background = (work: () => Promise<void>) => {
    const p = work()
      .catch((error: unknown) => deps.logger?.warn({ err: error }, 'LLM budget notice failed'))
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  const context: ReservationContext = { db: deps.db, mailer: deps.mailer, velocity, background };

  return {
    async reserve(tx, scope, request) {
      checkRequest(scope, request);
      const key = keyColumns(scope.key);
      const counted: { tokens: number } = { tokens: 0 };
      const giveBack = async () => {
        const tokens = counted.tokens;
        counted.tokens = 0;
        if (tokens > 0) await counter.remove(`${scope.workspaceId}:tokens`, tokens);
      };
      try {
        if (await isSuspended(tx, key)) {
          throw new AppError(
            'llm_key_suspended',
            'This LLM key is suspended after unusual spend; an owner of the workspace can resume it',
            { details: { key: keyLabel(key) } },
          );
        }
        await checkRates(tx, counter, scope.workspaceId, request.worstCaseTokens, counted);
        const locked = await lockBudgets(tx, scope);
        const spend = await budgetSpend(tx, locked);
        const over = spend.find((b) => b.settled + b.held + request.worstCaseMicros > b.hardLimit);
        if (over !== undefined) throw exceeded(over, request.worstCaseMicros);
        await insertReservation(tx, scope, request, key, ttl);
      } catch (error) {
        await giveBack();
        throw error;
      }
      return openReservation(context, request.callId, scope, key, giveBack);
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

async function checkRates(
  tx: TenantTx,
  counter: RateCounter,
  workspaceId: string,
  tokens: number,
  counted: { tokens: number },
): Promise<void> {
  const limits = await tx
    .selectFrom('llm_limits')
    .select(['requests_per_minute', 'tokens_per_minute'])
    .executeTakeFirst();
  if (limits === undefined) return;
  if (limits.requests_per_minute !== null) {
    const r = await counter.add(`${workspaceId}:requests`, 1);
    if (r.total > limits.requests_per_minute) {
      throw rateLimited('requests_per_minute', limits.requests_per_minute, r.resetMs);
    }
  }
  if (limits.tokens_per_minute !== null && tokens > 0) {
    const r = await counter.add(`${workspaceId}:tokens`, tokens);
    counted.tokens = tokens;
    if (r.total > limits.tokens_per_minute) {
      throw rateLimited('tokens_per_minute', limits.tokens_per_minute, r.resetMs);
    }
  }
}

function rateLimited(limit: string, max: number, resetMs: number): AppError {
  const retry = Math.max(1, Math.ceil(resetMs / 1000));
  return new AppError(
    'rate_limited',
    `LLM rate limit: ${max} ${limit === 'requests_per_minute' ? 'requests' : 'tokens'} a minute for this workspace; retry in ${retry} s`,
    { details: { limit, max, retryAfterSeconds: retry } },
  );
}

function exceeded(budget: BudgetSpend, requested: bigint): AppError {
  return new AppError(
    'budget_exceeded',
    `This call could cost up to ${usd(requested)} USD, more than is left of the ${budget.scope} budget for this ${budget.period}`,
    {
      details: {
        budget_id: budget.id,
        scope: budget.scope,
        period: budget.period,
        limit_micros: Number(budget.hardLimit),
        spent_micros: Number(budget.settled + budget.held),
        requested_micros: Number(requested),
        window_start: budget.windowStart.toISOString(),
      },
    },
  );
}

async function insertReservation(
  tx: TenantTx,
  scope: CallScope,
  request: ReservationRequest,
  key: KeyColumns,
  ttl: number,
): Promise<void> {
  try {
    await sql`
      INSERT INTO llm_usage (tenant_id, id, user_id, token_id, key_source, credential_id, provider,
                             model, reserved_tokens, reserved_micros, expires_at)
      VALUES (${scope.workspaceId}, ${request.callId}, ${scope.userId}, ${scope.tokenId},
              ${key.key_source}, ${key.credential_id}, ${key.provider ?? request.provider},
              ${request.model}, ${request.worstCaseTokens}, ${request.worstCaseMicros},
              now() + make_interval(secs => ${ttl}))`.execute(tx);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', 'A reservation with this call id already exists');
    }
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}

function checkRequest(scope: CallScope, request: ReservationRequest): void {
  const problems: string[] = [];
  if (!isUuid(scope.workspaceId)) problems.push('workspaceId');
  if (!isUuid(scope.userId)) problems.push('userId');
  if (scope.tokenId !== null && !isUuid(scope.tokenId)) problems.push('tokenId');
  if (scope.key.source === 'byok' && !isUuid(scope.key.credentialId)) problems.push('key');
  if (!isUuid(request.callId)) problems.push('callId');
  if (request.model.length < 1 || request.model.length > 200) problems.push('model');
  if (
    !Number.isSafeInteger(request.worstCaseTokens) ||
    request.worstCaseTokens < 0 ||
    request.worstCaseTokens > NUMERIC_LIMIT
  ) {
    problems.push('worstCaseTokens');
  }
  if (problems.length > 0) {
    throw new AppError('validation_failed', `Bad reservation: ${problems.join(', ')}`);
  }
  checkAmount(request.worstCaseMicros, 'worstCaseMicros');
}

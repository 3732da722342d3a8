/**
 * What a budget has spent in its current window. A window is the UTC day or
 * the UTC calendar month that `now()` (the transaction's start) falls in; a
 * call counts in the window it was reserved in. Spent = settled costs plus
 * live reservations (status reserved, not yet expired): an expired
 * reservation, whose process died, stops counting.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/tenant-tx.js';

export type BudgetScope = 'workspace' | 'member' | 'token';
export type BudgetPeriod = 'day' | 'month';

export interface BudgetSpend {
  readonly id: string;
  readonly scope: BudgetScope;
  readonly period: BudgetPeriod;
  readonly userId: string | null;
  readonly tokenId: string | null;
  readonly hardLimit: bigint;
  readonly softLimit: bigint | null;
  readonly softNoticedAt: Date | null;
  readonly windowStart: Date;
  /** Settled costs in the window. */
  readonly settled: bigint;
  /** Live reservations in the window. */
  readonly held: bigint;
}

/** The budgets that apply to a call by this member, with this token (or none). */
export interface Subject {
  readonly userId: string;
  readonly tokenId: string | null;
}

/**
 * Locks the budgets that apply to the subject, in id order (every writer
 * locks budgets in that order, so two reservations cannot deadlock), and
 * answers their ids. Held until the transaction ends.
 */
export async function lockBudgets(tx: TenantTx, subject: Subject): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT id FROM llm_budgets
     WHERE scope = 'workspace'
        OR (scope = 'member' AND user_id = ${subject.userId})
        OR (scope = 'token' AND token_id = ${subject.tokenId})
     ORDER BY id
       FOR UPDATE`.execute(tx);
  return rows.rows.map((r) => r.id);
}

interface SpendRow {
  id: string;
  scope: BudgetScope;
  period: BudgetPeriod;
  user_id: string | null;
  token_id: string | null;
  hard_limit_micros: string;
  soft_limit_micros: string | null;
  soft_noticed_at: Date | null;
  window_start: Date;
  settled: string;
  held: string;
}

/**
 * The spend of each budget named, in id order. A separate statement from
 * the lock on purpose: under READ COMMITTED it takes a fresh snapshot after
 * the lock is granted, so it sees every reservation committed by the
 * transaction that held the lock before.
 */
export async function budgetSpend(tx: TenantTx, ids: readonly string[]): Promise<BudgetSpend[]> {
  if (ids.length === 0) return [];
  const rows = await sql<SpendRow>`
    SELECT b.id, b.scope, b.period, b.user_id, b.token_id, b.hard_limit_micros,
           b.soft_limit_micros, b.soft_noticed_at, w.start AS window_start,
           coalesce(s.settled, 0)::text AS settled, coalesce(s.held, 0)::text AS held
      FROM llm_budgets b
     CROSS JOIN LATERAL (SELECT date_trunc(b.period, now(), 'UTC') AS start) w
     CROSS JOIN LATERAL (
           SELECT sum(u.settled_micros) FILTER (WHERE u.status = 'settled') AS settled,
                  sum(u.reserved_micros) FILTER (WHERE u.status = 'reserved' AND u.expires_at > now()) AS held
             FROM llm_usage u
            WHERE u.created_at >= w.start
              AND (b.scope = 'workspace'
                   OR (b.scope = 'member' AND u.user_id = b.user_id)
                   OR (b.scope = 'token' AND u.token_id = b.token_id))) s
     WHERE b.id = ANY(${ids}::uuid[])
     ORDER BY b.id`.execute(tx);
  return rows.rows.map((r) => ({
    id: r.id,
    scope: r.scope,
    period: r.period,
    userId: r.user_id,
    tokenId: r.token_id,
    hardLimit: BigInt(r.hard_limit_micros),
    softLimit: r.soft_limit_micros === null ? null : BigInt(r.soft_limit_micros),
    softNoticedAt: r.soft_noticed_at,
    windowStart: r.window_start,
    settled: BigInt(r.settled),
    held: BigInt(r.held),
  }));
}

/** The ids of the budgets that apply to the subject, without locking them. */
export async function applicableBudgets(tx: TenantTx, subject: Subject): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT id FROM llm_budgets
     WHERE scope = 'workspace'
        OR (scope = 'member' AND user_id = ${subject.userId})
        OR (scope = 'token' AND token_id = ${subject.tokenId})
     ORDER BY id`.execute(tx);
  return rows.rows.map((r) => r.id);
}

/**
 * Budgets as admins manage them: create, list with the current window's
 * spend, change limits, delete. Subjects (member, token) must belong to the
 * workspace: composite foreign keys check it, and RLS makes another
 * workspace's ids invisible (not_found, whether they exist or not).
 */
import { sql } from 'kysely';
import { AppError } from '../../base/errors.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { budgetSpend, type BudgetPeriod, type BudgetScope, type BudgetSpend } from './spend.js';

export interface BudgetView {
  readonly id: string;
  readonly scope: BudgetScope;
  readonly user_id: string | null;
  readonly token_id: string | null;
  readonly period: BudgetPeriod;
  readonly hard_limit_micros: number;
  readonly soft_limit_micros: number | null;
  /** Start of the current window (UTC day or month). */
  readonly window_start: string;
  /** Settled cost in the current window. */
  readonly settled_micros: number;
  /** Settled plus live reservations: what a reservation is checked against. */
  readonly spent_micros: number;
}

export interface CreateBudgetInput {
  readonly scope: BudgetScope;
  readonly user_id?: string | undefined;
  readonly token_id?: string | undefined;
  readonly period: BudgetPeriod;
  readonly hard_limit_micros: number;
  readonly soft_limit_micros?: number | null | undefined;
}

export interface UpdateBudgetInput {
  readonly hard_limit_micros?: number | undefined;
  readonly soft_limit_micros?: number | null | undefined;
}

const MAX_BUDGETS = 500;

export async function listBudgets(tx: TenantTx): Promise<{ items: BudgetView[] }> {
  const ids = await tx
    .selectFrom('llm_budgets')
    .select('id')
    .orderBy('id')
    .limit(MAX_BUDGETS)
    .execute();
  const spend = await budgetSpend(
    tx,
    ids.map((r) => r.id),
  );
  return { items: spend.map(toView) };
}

export async function getBudget(tx: TenantTx, id: string): Promise<BudgetView> {
  const [found] = await budgetSpend(tx, [id]);
  if (found === undefined) throw notFound();
  return toView(found);
}

export async function createBudget(tx: TenantTx, input: CreateBudgetInput): Promise<BudgetView> {
  const userId = input.scope === 'member' ? input.user_id : undefined;
  const tokenId = input.scope === 'token' ? input.token_id : undefined;
  if ((input.scope === 'member') !== (input.user_id !== undefined)) {
    throw new AppError(
      'validation_failed',
      'user_id is required for a member budget, and only there',
    );
  }
  if ((input.scope === 'token') !== (input.token_id !== undefined)) {
    throw new AppError(
      'validation_failed',
      'token_id is required for a token budget, and only there',
    );
  }
  checkLimits(input.hard_limit_micros, input.soft_limit_micros ?? null);
  let id: string;
  try {
    const row = await sql<{ id: string }>`
      INSERT INTO llm_budgets (tenant_id, scope, user_id, token_id, period, hard_limit_micros, soft_limit_micros)
      VALUES (nullif(current_setting('wardroom.tenant_id', true), '')::uuid, ${input.scope},
              ${userId ?? null}::uuid, ${tokenId ?? null}::uuid, ${input.period},
              ${input.hard_limit_micros}, ${input.soft_limit_micros ?? null})
      RETURNING id`.execute(tx);
    const created = row.rows[0];
    if (created === undefined) throw new AppError('internal', 'The budget was not created');
    id = created.id;
  } catch (error) {
    const code = pgCode(error);
    if (code === '23505') {
      throw new AppError('conflict', `This ${input.scope} already has a ${input.period} budget`);
    }
    if (code === '23503') {
      throw new AppError(
        'not_found',
        input.scope === 'member' ? 'Member not found' : 'API token not found',
      );
    }
    throw error;
  }
  return getBudget(tx, id);
}

export async function updateBudget(
  tx: TenantTx,
  id: string,
  input: UpdateBudgetInput,
): Promise<BudgetView> {
  const current = await getBudget(tx, id);
  const hard = input.hard_limit_micros ?? current.hard_limit_micros;
  const soft =
    input.soft_limit_micros === undefined ? current.soft_limit_micros : input.soft_limit_micros;
  checkLimits(hard, soft);
  await tx
    .updateTable('llm_budgets')
    .set({
      hard_limit_micros: BigInt(hard),
      soft_limit_micros: soft === null ? null : BigInt(soft),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
  return getBudget(tx, id);
}

export async function deleteBudget(tx: TenantTx, id: string): Promise<void> {
  const deleted = await tx.deleteFrom('llm_budgets').where('id', '=', id).executeTakeFirst();
  if (deleted.numDeletedRows === 0n) throw notFound();
}

function checkLimits(hard: number, soft: number | null): void {
  if (soft !== null && soft > hard) {
    throw new AppError('validation_failed', 'soft_limit_micros must not exceed hard_limit_micros');
  }
}

function toView(b: BudgetSpend): BudgetView {
  return {
    id: b.id,
    scope: b.scope,
    user_id: b.userId,
    token_id: b.tokenId,
    period: b.period,
    hard_limit_micros: Number(b.hardLimit),
    soft_limit_micros: b.softLimit === null ? null : Number(b.softLimit),
    window_start: b.windowStart.toISOString(),
    settled_micros: Number(b.settled),
    spent_micros: Number(b.settled + b.held),
  };
}

function notFound(): AppError {
  return new AppError('not_found', 'Budget not found');
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string'
    ? error.code
    : undefined;
}

/**
 * Soft limits: once the settled spend of a budget's window reaches its soft
 * limit, admins and owners are told once for that window: an
 * `llm_budget.soft_limit_crossed` audit event and an email each. "Once" is a
 * conditional UPDATE of the budget's soft_noticed_at to the window's start:
 * of concurrent settlements, and of processes, only the one whose UPDATE
 * changes the row sends. Budgets are updated in id order, as reservations
 * lock them, so the two cannot deadlock.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { Principal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { recordEvent } from '../audit/index.js';
import type { Mailer } from '../mail/index.js';
import { notifyMembers, usd } from './notify.js';
import { applicableBudgets, budgetSpend, type BudgetSpend, type Subject } from './spend.js';

/**
 * Whether any budget that applies to the subject has a soft limit not yet
 * noticed in its current window: one indexed read in the settling
 * transaction, so the notice's own transaction (which sums the window's
 * spend) runs only when it may have something to say.
 */
export async function softNoticeMayBeDue(tx: TenantTx, subject: Subject): Promise<boolean> {
  const row = await sql<{ due: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM llm_budgets
       WHERE soft_limit_micros IS NOT NULL
         AND (soft_noticed_at IS NULL OR soft_noticed_at < date_trunc(period, now(), 'UTC'))
         AND (scope = 'workspace'
              OR (scope = 'member' AND user_id = ${subject.userId})
              OR (scope = 'token' AND token_id = ${subject.tokenId}))) AS due`.execute(tx);
  return row.rows[0]?.due === true;
}

const SCOPE_WORDS = { workspace: 'the workspace', member: 'a member', token: 'an API token' };

export async function noticeSoftLimits(
  db: Pick<Database, 'withTenant'>,
  mailer: Pick<Mailer, 'send'> | undefined,
  system: Principal,
  subject: Subject & { readonly workspaceId: string },
): Promise<void> {
  const crossed = await db.withTenant(system, async (tx) => {
    const spend = await budgetSpend(tx, await applicableBudgets(tx, subject));
    const due = spend.filter(
      (b) =>
        b.softLimit !== null &&
        b.settled >= b.softLimit &&
        (b.softNoticedAt === null || b.softNoticedAt < b.windowStart),
    );
    const noticed: BudgetSpend[] = [];
    for (const budget of due) {
      const updated = await sql<{ id: string }>`
        UPDATE llm_budgets SET soft_noticed_at = ${budget.windowStart}
         WHERE id = ${budget.id}
           AND (soft_noticed_at IS NULL OR soft_noticed_at < ${budget.windowStart})
        RETURNING id`.execute(tx);
      if (updated.rows.length === 0) continue;
      await recordEvent(tx, {
        action: 'llm_budget.soft_limit_crossed',
        targets: [{ type: 'llm_budget', id: budget.id }],
        metadata: {
          scope: budget.scope,
          period: budget.period,
          window_start: budget.windowStart.toISOString(),
          spent_micros: Number(budget.settled),
          soft_limit_micros: Number(budget.softLimit ?? 0n),
        },
      });
      noticed.push(budget);
    }
    return noticed;
  });
  if (mailer === undefined) return;
  for (const budget of crossed) {
    await notifyMembers(db, mailer, system, 'admins', (to) => ({
      to,
      template: 'llm_budget_soft_limit',
      data: {
        workspaceId: subject.workspaceId,
        scope: SCOPE_WORDS[budget.scope],
        period: budget.period,
        spentUsd: usd(budget.settled),
        softLimitUsd: usd(budget.softLimit ?? 0n),
        hardLimitUsd: usd(budget.hardLimit),
      },
    }));
  }
}

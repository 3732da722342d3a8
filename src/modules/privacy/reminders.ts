/**
 * Reminders to a workspace's admins and owners about privacy requests near
 * or past their deadline. One sweep over every workspace: in each, the
 * requests that crossed a threshold (near due: the deadline in force is
 * within `nearDueDays`; overdue: it has passed) since they were last
 * reminded are claimed by one conditional update, recording the deadline
 * they were reminded about, and committed before any email goes out. So a
 * second sweep, in this process or another, finds nothing to claim and sends
 * nothing: at most one reminder per request, threshold and deadline (an
 * extension sets a new deadline, which gets its own). A send that fails is
 * recorded (`mail.send.outcome`) and not retried.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { systemPrincipal, type Principal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { listWorkspaceIds, recordEvent } from '../audit/index.js';
import { recordMailSendFor, type Mailer } from '../mail/index.js';
import { addDays, dateOf, type IsoDate } from './calendar.js';

export const NEAR_DUE_DAYS = 7;

export interface ReminderDeps {
  readonly db: Pick<Database, 'withTenant' | 'withSystem'>;
  readonly mailer: Pick<Mailer, 'send'>;
  readonly clock: () => Date;
  /** Days before the deadline a request counts as near due (default 7). */
  readonly nearDueDays?: number;
}

export interface ReminderResult {
  /** Requests newly reminded about, by threshold. */
  readonly nearDue: number;
  readonly overdue: number;
  /** Emails delivered. */
  readonly sent: number;
}

interface Claimed {
  readonly id: string;
  readonly due: IsoDate;
}

type Threshold = 'near_due' | 'overdue';

/** Claims the open requests that crossed `threshold` since their last reminder about this deadline. */
async function claim(
  tx: TenantTx,
  threshold: Threshold,
  today: IsoDate,
  horizon: IsoDate,
): Promise<Claimed[]> {
  const due = sql`coalesce(extended_due_on, due_on)`;
  const column =
    threshold === 'overdue' ? sql.ref('overdue_notice_for') : sql.ref('near_due_notice_for');
  const crossed =
    threshold === 'overdue'
      ? sql`${due} < ${today}::date`
      : sql`${due} >= ${today}::date AND ${due} <= ${horizon}::date`;
  const { rows } = await sql<Claimed>`
    UPDATE privacy_requests SET ${column} = ${due}, updated_at = now()
     WHERE state IN ('received', 'identity_verified', 'in_progress')
       AND ${crossed}
       AND ${column} IS DISTINCT FROM ${due}
    RETURNING id, (${due})::text AS due`.execute(tx);
  for (const row of rows) {
    await recordEvent(tx, {
      action: 'privacy.request.reminder',
      targets: [{ type: 'privacy_request', id: row.id }],
      metadata: { threshold, due_on: row.due },
    });
  }
  return rows;
}

/** Admins' and owners' addresses (English: the app role does not read people's languages). */
async function adminEmails(tx: TenantTx): Promise<string[]> {
  const { rows } = await sql<{ email: string }>`
    SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
     WHERE m.role IN ('owner', 'admin') ORDER BY u.email`.execute(tx);
  return rows.map((r) => r.email);
}

/** One workspace: claim, commit, then email its admins and owners once. */
export async function remindWorkspace(
  deps: ReminderDeps,
  workspaceId: string,
): Promise<ReminderResult> {
  const principal: Principal = systemPrincipal(workspaceId, 'privacy-reminders');
  const today = dateOf(deps.clock());
  const horizon = addDays(today, deps.nearDueDays ?? NEAR_DUE_DAYS);
  const claimed = await deps.db.withTenant(principal, async (tx) => {
    const ws = await tx.selectFrom('workspaces').select('shredded_at').executeTakeFirst();
    if (ws === undefined || ws.shredded_at !== null) return undefined;
    const overdue = await claim(tx, 'overdue', today, horizon);
    const nearDue = await claim(tx, 'near_due', today, horizon);
    if (overdue.length + nearDue.length === 0) return undefined;
    return { overdue, nearDue, to: await adminEmails(tx) };
  });
  if (claimed === undefined) return { nearDue: 0, overdue: 0, sent: 0 };
  const earliestDueOn = [...claimed.overdue, ...claimed.nearDue]
    .map((c) => c.due)
    .reduce((a, b) => (a < b ? a : b));
  let sent = 0;
  for (const to of claimed.to) {
    try {
      const outcome = await deps.mailer.send({
        to,
        template: 'privacy_request_reminder',
        data: {
          workspaceId,
          overdue: claimed.overdue.length,
          nearDue: claimed.nearDue.length,
          earliestDueOn,
        },
      });
      await recordMailSendFor(deps.db, principal, outcome);
      if (outcome.status === 'delivered') sent += 1;
    } catch {
      // A message the mailer will not build sent nothing; the other admins still get theirs.
    }
  }
  return { nearDue: claimed.nearDue.length, overdue: claimed.overdue.length, sent };
}

/** Every workspace, one after another; one workspace's failure does not stop the others. */
export async function sendReminders(
  deps: ReminderDeps,
  onError?: (error: unknown, workspaceId: string) => void,
): Promise<ReminderResult> {
  let total = { nearDue: 0, overdue: 0, sent: 0 };
  for (const id of await listWorkspaceIds(deps.db)) {
    try {
      const r = await remindWorkspace(deps, id);
      total = {
        nearDue: total.nearDue + r.nearDue,
        overdue: total.overdue + r.overdue,
        sent: total.sent + r.sent,
      };
    } catch (error) {
      onError?.(error, id);
    }
  }
  return total;
}

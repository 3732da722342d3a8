/**
 * One sweep of the post-cancellation purge over every workspace, by the
 * clock it is given (tests move it). In each workspace with a scheduled
 * purge, at most one thing happens per sweep, decided and claimed under the
 * row's lock and committed before any email or destruction:
 *   - within a day of the purge and not yet warned for it: the last warning
 *     (the purge then moves, if it must, to a day after it: nobody is purged
 *     without a day's notice, even after downtime);
 *   - within 7 days and not yet warned at all: the first warning;
 *   - due, and the last warning sent: the claim (state `purging`), then the
 *     purge itself (run.ts).
 * A purge left `purging` by a worker that died is resumed. Each warning is
 * claimed before it is sent, so it goes out once (at most: a crash between
 * the claim and the send loses it, as in privacy/reminders.ts).
 */
import type { Principal } from '../../../db/principal.js';
import { systemPrincipal } from '../../../db/principal.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { listWorkspaceIds, recordEvent } from '../../audit/index.js';
import { recordMailSendFor } from '../../mail/index.js';
import { ownerEmails, PURGE_ACTOR, runPurge, type PurgeResult, type PurgeRunDeps } from './run.js';
import { FIRST_WARNING_DAYS, LAST_WARNING_DAYS } from './settings.js';

const DAY_MS = 86_400_000;

export type PurgeDeps = PurgeRunDeps;

export interface SweepResult {
  readonly warned: number;
  readonly purged: number;
  readonly receiptsSent: number;
}

type Decision =
  | { readonly kind: 'warn'; readonly days: 7 | 1; readonly due: Date; readonly name: string }
  | { readonly kind: 'purge' };

interface Warning {
  readonly days: 7 | 1;
  readonly due: Date;
  readonly name: string;
  readonly owners: readonly string[];
}

/** Decides and claims this sweep's step for the workspace, under the row's lock. */
async function decide(tx: TenantTx, now: Date): Promise<Decision | undefined> {
  const row = await tx
    .selectFrom('workspace_purges')
    .select(['state', 'due_at', 'warned_7_at', 'warned_1_at'])
    .forUpdate()
    .executeTakeFirst();
  if (row?.state === 'purging') return { kind: 'purge' };
  if (row?.state !== 'scheduled' || row.due_at === null) return undefined;
  const left = row.due_at.getTime() - now.getTime();
  if (left <= 0 && row.warned_1_at !== null) {
    await tx
      .updateTable('workspace_purges')
      .set({ state: 'purging', claimed_at: now, updated_at: now })
      .execute();
    await recordEvent(tx, {
      action: 'workspace.purge.started',
      metadata: { due_at: row.due_at.toISOString() },
    });
    return { kind: 'purge' };
  }
  let days: 7 | 1;
  let due = row.due_at;
  if (left <= LAST_WARNING_DAYS * DAY_MS && row.warned_1_at === null) {
    days = 1;
    due = new Date(Math.max(due.getTime(), now.getTime() + LAST_WARNING_DAYS * DAY_MS));
  } else if (
    left <= FIRST_WARNING_DAYS * DAY_MS &&
    row.warned_7_at === null &&
    row.warned_1_at === null
  ) {
    days = 7;
  } else {
    return undefined;
  }
  await tx
    .updateTable('workspace_purges')
    .set(
      days === 1
        ? { warned_1_at: now, due_at: due, updated_at: now }
        : { warned_7_at: now, updated_at: now },
    )
    .execute();
  await recordEvent(tx, {
    action: 'workspace.purge.warned',
    metadata: { days_before: days, due_at: due.toISOString() },
  });
  const ws = await tx.selectFrom('workspaces').select('name').executeTakeFirstOrThrow();
  return { kind: 'warn', days, due, name: ws.name };
}

async function sendWarning(deps: PurgeDeps, principal: Principal, warning: Warning): Promise<void> {
  for (const to of warning.owners) {
    try {
      const outcome = await deps.mailer.send({
        to,
        template: 'workspace_purge_warning',
        data: {
          workspaceName: warning.name,
          workspaceId: principal.tenantId,
          daysBefore: warning.days,
          purgeAt: warning.due.toISOString(),
        },
      });
      await recordMailSendFor(deps.db, principal, outcome);
    } catch {
      // A message the mailer will not build sent nothing; the other owners still get theirs.
    }
  }
}

/** One workspace: warn, or claim and purge, or resume a purge; at most one of them. */
export async function purgeWorkspaceStep(
  deps: PurgeDeps,
  workspaceId: string,
): Promise<{ warned: boolean; purge: PurgeResult | undefined }> {
  const principal = systemPrincipal(workspaceId, PURGE_ACTOR);
  const now = deps.clock();
  const decided = await deps.db.withTenant(principal, async (tx) => {
    const decision = await decide(tx, now);
    if (decision?.kind !== 'warn') return decision;
    return { ...decision, owners: await ownerEmails(tx) };
  });
  if (decided === undefined) return { warned: false, purge: undefined };
  if (decided.kind === 'warn') {
    await sendWarning(deps, principal, decided);
    return { warned: true, purge: undefined };
  }
  await deps.onStep?.('claimed', workspaceId);
  return { warned: false, purge: await runPurge(deps, workspaceId) };
}

/** Every workspace, one after another; one workspace's failure does not stop the others. */
export async function sweepPurges(
  deps: PurgeDeps,
  onError?: (error: unknown, workspaceId: string) => void,
): Promise<SweepResult> {
  let total: SweepResult = { warned: 0, purged: 0, receiptsSent: 0 };
  for (const id of await listWorkspaceIds(deps.db)) {
    try {
      const step = await purgeWorkspaceStep(deps, id);
      total = {
        warned: total.warned + (step.warned ? 1 : 0),
        purged: total.purged + (step.purge === undefined ? 0 : 1),
        receiptsSent: total.receiptsSent + (step.purge?.receiptsSent ?? 0),
      };
    } catch (error) {
      onError?.(error, id);
    }
  }
  return total;
}

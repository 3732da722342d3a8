/**
 * The post-cancellation purge's setting and schedule, per workspace
 * (migration 027). The owner's choice (`enabled`: true, false, or null for
 * the operator's default) decides whether a cancellation schedules a purge
 * `days` after it. A reactivation (a paid plan again) cancels a pending
 * purge, and so does the owner turning it off; turning it on after a
 * cancellation schedules one. Every change is an audit event
 * (`workspace.purge.*`), in the transaction that makes it.
 */
import { z } from 'zod';
import type { PurgeConfig } from '../../../base/billing-config.js';
import { principalOf, type TenantTx } from '../../../db/tenant-tx.js';
import { recordEvent } from '../../audit/index.js';

const DAY_MS = 86_400_000;
/** The first warning goes out this many days before the purge; nothing is scheduled sooner. */
export const FIRST_WARNING_DAYS = 7;
export const LAST_WARNING_DAYS = 1;

export const PURGE_STATES = ['none', 'scheduled', 'cancelled', 'purging', 'done'] as const;
export type PurgeState = (typeof PURGE_STATES)[number];

export const purgeView = z.object({
  enabled: z
    .boolean()
    .nullable()
    .describe("The owner's choice; null: the operator's default applies."),
  default_on: z.boolean().describe("The operator's default (WARDROOM_PURGE_AFTER_CANCEL_DEFAULT)."),
  effective: z.boolean().describe('Whether a cancellation schedules a purge.'),
  days: z.number().int().describe('Days from cancellation to the purge.'),
  state: z.enum(PURGE_STATES),
  cancelled_at: z.string().nullable().describe('When the subscription ended, if it has.'),
  due_at: z.string().nullable().describe('When the workspace is purged (state scheduled).'),
  warned_7_at: z.string().nullable(),
  warned_1_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});
export type PurgeView = z.infer<typeof purgeView>;

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

async function lockRow(tx: TenantTx) {
  const tenantId = principalOf(tx).tenantId;
  await tx
    .insertInto('workspace_purges')
    .values({ tenant_id: tenantId })
    .onConflict((oc) => oc.column('tenant_id').doNothing())
    .execute();
  return tx.selectFrom('workspace_purges').selectAll().forUpdate().executeTakeFirstOrThrow();
}

/** The workspace's purge setting and schedule (no row yet: nothing chosen, nothing scheduled). */
export async function readPurge(tx: TenantTx, config: PurgeConfig): Promise<PurgeView> {
  const row = await tx.selectFrom('workspace_purges').selectAll().executeTakeFirst();
  const enabled = row?.enabled ?? null;
  return {
    enabled,
    default_on: config.defaultOn,
    effective: enabled ?? config.defaultOn,
    days: config.days,
    state: row?.state ?? 'none',
    cancelled_at: iso(row?.cancelled_at ?? null),
    due_at: row?.state === 'scheduled' || row?.state === 'purging' ? iso(row.due_at) : null,
    warned_7_at: iso(row?.warned_7_at ?? null),
    warned_1_at: iso(row?.warned_1_at ?? null),
    completed_at: iso(row?.completed_at ?? null),
  };
}

/** Schedules the purge of a cancelled workspace, unless one is pending or done. */
async function schedule(tx: TenantTx, config: PurgeConfig, cancelledAt: Date, now: Date) {
  // Never sooner than the first warning allows, even when turned on late.
  const due = new Date(
    Math.max(
      cancelledAt.getTime() + config.days * DAY_MS,
      now.getTime() + FIRST_WARNING_DAYS * DAY_MS,
    ),
  );
  const scheduled = await tx
    .updateTable('workspace_purges')
    .set({
      state: 'scheduled',
      due_at: due,
      warned_7_at: null,
      warned_1_at: null,
      updated_at: now,
    })
    .where('state', 'in', ['none', 'cancelled'])
    .returning('due_at')
    .executeTakeFirst();
  if (scheduled === undefined) return;
  await recordEvent(tx, {
    action: 'workspace.purge.scheduled',
    metadata: { cancelled_at: cancelledAt.toISOString(), due_at: due.toISOString() },
  });
}

async function cancelPending(tx: TenantTx, reason: 'reactivated' | 'disabled', now: Date) {
  const cancelled = await tx
    .updateTable('workspace_purges')
    .set({ state: 'cancelled', updated_at: now })
    .where('state', '=', 'scheduled')
    .returning('due_at')
    .executeTakeFirst();
  if (cancelled === undefined) return;
  await recordEvent(tx, {
    action: 'workspace.purge.cancelled',
    metadata: { reason, due_at: iso(cancelled.due_at) },
  });
}

/**
 * After a Stripe event changed the workspace's subscription (billing/apply.ts,
 * same transaction): a paid plan again cancels a pending purge; a
 * subscription that ended records when, and schedules the purge if it is on.
 */
export async function purgeAfterBillingChange(
  tx: TenantTx,
  config: PurgeConfig,
  change: { readonly paid: boolean; readonly ended: boolean; readonly at: Date },
  now: Date,
): Promise<void> {
  if (!change.paid && !change.ended) return;
  const row = await lockRow(tx);
  if (change.paid) {
    await cancelPending(tx, 'reactivated', now);
    if (row.cancelled_at !== null) {
      await tx
        .updateTable('workspace_purges')
        .set({ cancelled_at: null, updated_at: now })
        .execute();
    }
    return;
  }
  if (row.cancelled_at === null) {
    await tx
      .updateTable('workspace_purges')
      .set({ cancelled_at: change.at, updated_at: now })
      .execute();
  }
  if (row.enabled ?? config.defaultOn)
    await schedule(tx, config, row.cancelled_at ?? change.at, now);
}

/**
 * The owner's choice: on, off, or null (the operator's default). Turning it
 * off cancels a pending purge; on, for a workspace already cancelled,
 * schedules one. A purge already running or done is past choosing.
 */
export async function setPurgeEnabled(
  tx: TenantTx,
  config: PurgeConfig,
  enabled: boolean | null,
  now: Date,
): Promise<PurgeView> {
  const row = await lockRow(tx);
  if (row.enabled !== enabled) {
    await tx.updateTable('workspace_purges').set({ enabled, updated_at: now }).execute();
    await recordEvent(tx, {
      action: 'workspace.purge.setting_changed',
      metadata: { from: row.enabled, to: enabled, effective: enabled ?? config.defaultOn },
    });
  }
  if (enabled ?? config.defaultOn) {
    if (row.cancelled_at !== null) await schedule(tx, config, row.cancelled_at, now);
  } else {
    await cancelPending(tx, 'disabled', now);
  }
  return readPurge(tx, config);
}

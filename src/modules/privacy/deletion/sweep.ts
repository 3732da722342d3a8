/**
 * The deletion sweep: claims the deletions whose cooling-off has passed and
 * runs each. The claim (pending → running) is one definer call, committed
 * before anything else happens, so two sweeps at once never run the same
 * deletion; a running deletion whose worker died is claimed again after
 * `LEASE_SECONDS` (every step below is idempotent). Completion (running →
 * completed) hands the sealed address over exactly once, so the receipt is
 * sent at most once whatever happens around it.
 *
 * For each: `privacy.deletion.started` in each of the person's workspaces,
 * `pseudonymiseUser`, the linked deletion request completed (its own
 * audited transition), the row completed with its receipt, then
 * `privacy.deletion.completed` and the receipt emailed to the address the
 * person had.
 */
import { sql } from 'kysely';
import { systemPrincipal, type Principal } from '../../../db/principal.js';
import { transitionRequest } from '../moves.js';
import type { PrivacyDeps } from '../requests.js';
import type { Keyring } from '../../keys/index.js';
import type { CoolingDeps } from './delete-account.js';
import { recordInEach, sendDeletionMail } from './events.js';
import { pseudonymiseUser, type Pseudonymised } from './pseudonymise.js';
import { openReceiptAddress } from './receipt-seal.js';
import { toDeletionView, type DeletionReceipt, type DeletionView } from './scheduled.js';

/** After this long a running deletion counts as abandoned and is claimed again. */
export const LEASE_SECONDS = 900;
const BATCH = 50;

export type SweepDeps = Omit<CoolingDeps, 'exports' | 'freshSeconds'> & {
  readonly keyring: Pick<Keyring, 'seal' | 'openMany'>;
};

export interface SweepResult {
  readonly claimed: number;
  readonly completed: number;
  readonly receipts: number;
}

const actor = (ws: string): Principal => systemPrincipal(ws, 'privacy-deletions');

/**
 * One sweep: every due deletion, in batches, until none is left. `only`
 * limits it to some people (tests sharing a database sweep their own).
 */
export async function runDueDeletions(
  deps: SweepDeps,
  onError?: (error: unknown, deletionId: string) => void,
  only?: readonly string[],
): Promise<SweepResult> {
  let total = { claimed: 0, completed: 0, receipts: 0 };
  const users = only === undefined ? null : sql`${[...only]}::uuid[]`;
  for (;;) {
    const [rows] = await deps.db.withSystem('privacy: claim due deletions', (tx) =>
      tx.call('privacy_deletion_claim', deps.clock().toISOString(), LEASE_SECONDS, BATCH, users),
    );
    const claimed = ((rows ?? []) as unknown[]).map(toDeletionView);
    if (claimed.length === 0) return total;
    total = { ...total, claimed: total.claimed + claimed.length };
    for (const d of claimed) {
      try {
        const r = await runOne(deps, d);
        total = {
          ...total,
          completed: total.completed + (r.completed ? 1 : 0),
          receipts: total.receipts + (r.receipt ? 1 : 0),
        };
      } catch (error) {
        onError?.(error, d.id);
      }
    }
    if (claimed.length < BATCH) return total;
  }
}

async function runOne(
  deps: SweepDeps,
  d: DeletionView,
): Promise<{ completed: boolean; receipt: boolean }> {
  await recordInEach(deps.db, d, actor, 'privacy.deletion.started');
  const reason = d.origin === 'account' ? 'account_deleted' : 'deletion_request';
  const done = await pseudonymiseUser(deps, d.user_id, actor, reason);
  if (d.workspace_id !== null && d.request_id !== null) {
    await completeRequest(deps, d.workspace_id, d.request_id);
  }
  const receipt = receiptOf(done);
  const now = deps.clock();
  const [taken] = await deps.db.withSystem('privacy: complete a deletion', (tx) =>
    tx.call('privacy_deletion_complete', d.id, now.toISOString(), JSON.stringify(receipt)),
  );
  if (taken === null || taken === undefined) return { completed: false, receipt: false };
  const completed: DeletionView = {
    ...d,
    state: 'completed',
    completed_at: now.toISOString(),
    receipt,
  };
  const workspaces = done?.workspaces ?? [];
  await recordInEach(deps.db, completed, actor, 'privacy.deletion.completed', {}, workspaces);
  const sealed = Buffer.from((taken as { receipt_to: string }).receipt_to, 'base64');
  const to = openReceiptAddress(deps.receiptKey, d.user_id, sealed);
  if (to === undefined) return { completed: true, receipt: false };
  const sent = await sendDeletionMail(
    deps,
    {
      to,
      template: 'account_deletion_receipt',
      data: {
        completedAt: now.toISOString(),
        reference: d.id,
        workspaces: receipt.workspaces,
        revokedSessions: receipt.revoked_sessions,
        revokedTokens: receipt.revoked_tokens,
      },
    },
    workspaces[0] === undefined ? undefined : actor(workspaces[0]),
  );
  return { completed: true, receipt: sent };
}

function receiptOf(done: Pseudonymised | null): DeletionReceipt {
  return {
    workspaces: done?.workspaces.length ?? 0,
    revoked_sessions: done?.revokedSessions ?? 0,
    revoked_tokens: done?.revokedTokens ?? 0,
  };
}

/** The linked request, in progress, becomes completed (a request already closed stays so). */
async function completeRequest(deps: SweepDeps, workspaceId: string, requestId: string) {
  const privacy: PrivacyDeps = { keyring: deps.keyring, clock: deps.clock };
  await deps.db.withTenant(actor(workspaceId), async (tx) => {
    const row = await tx
      .selectFrom('privacy_requests')
      .select('state')
      .where('id', '=', requestId)
      .executeTakeFirst();
    if (row?.state !== 'in_progress') return;
    await transitionRequest(tx, privacy, requestId, { to: 'completed' }, { bySweep: true });
  });
}

/**
 * Running a claimed purge to its end, exactly once however often it is
 * resumed. The claim (state `purging`, sweep.ts) is committed before this
 * starts; then each step is stamped on the row as it completes, in the
 * transaction that does it or right after an idempotent one:
 *   1. the shred (keys module), its receipt id stamped in the same
 *      transaction: a resumed purge finds the stamp and skips it; a workspace
 *      someone shredded meanwhile keeps that receipt;
 *   2. the stored objects' deletion (storage module, idempotent: a second
 *      run counts 0), its count stamped once;
 *   3. the end: state `done` and the receipt's send claimed in one
 *      transaction, committed before any email, so the receipt is sent once
 *      (a crash between that commit and the send loses the email, like the
 *      reminders: the audit log then shows the claim without its
 *      `mail.send.outcome`).
 * A worker killed anywhere leaves a row in `purging` that the next sweep
 * resumes from the first unstamped step.
 */
import type { Database } from '../../../db/database.js';
import { systemPrincipal, type Principal } from '../../../db/principal.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { recordEvent } from '../../audit/index.js';
import type { Signer } from '../../crypto/index.js';
import { destroyWorkspaceKeys, listShredReceipts, type Keyring } from '../../keys/index.js';
import { recordMailSendFor, type Mailer } from '../../mail/index.js';
import type { Storage } from '../../storage/index.js';

/** The system actor of every purge step. */
export const PURGE_ACTOR = 'workspace-purge';

export type PurgeStep = 'claimed' | 'shredded' | 'objects_deleted' | 'completed';

export interface PurgeRunDeps {
  readonly db: Pick<Database, 'withTenant' | 'withSystem'>;
  readonly keyring: Pick<Keyring, 'forget' | 'detachRootKey'>;
  readonly signer: Signer;
  readonly storage: Pick<Storage, 'deleteShreddedObjects'>;
  readonly mailer: Pick<Mailer, 'send'>;
  readonly clock: () => Date;
  /** Called once each step has committed (logging; a test stops a worker here). */
  readonly onStep?: (step: PurgeStep, workspaceId: string) => void | Promise<void>;
}

export interface PurgeResult {
  readonly receiptId: string | null;
  readonly objectsDeleted: number;
  /** Receipt emails delivered by this run (0 when an earlier run claimed them). */
  readonly receiptsSent: number;
}

/** Step 1: the shred, once. Returns false when the row is not (or no longer) purging. */
async function shredOnce(deps: PurgeRunDeps, principal: Principal): Promise<boolean> {
  const shredded = await deps.db.withTenant(principal, async (tx) => {
    const row = await tx
      .selectFrom('workspace_purges')
      .select(['state', 'shred_receipt_id'])
      .forUpdate()
      .executeTakeFirst();
    if (row?.state !== 'purging') return undefined;
    if (row.shred_receipt_id !== null) return false;
    const ws = await tx.selectFrom('workspaces').select('shredded_at').executeTakeFirstOrThrow();
    let receiptId: string | null;
    if (ws.shredded_at === null) {
      const signed = await destroyWorkspaceKeys(tx, deps);
      receiptId = signed.receipt.receipt_id;
    } else {
      // Shredded meanwhile (the owner's route, the CLI): that shred's receipt stands.
      const last = await tx
        .selectFrom('shred_receipts')
        .select('id')
        .orderBy('id', 'desc')
        .executeTakeFirst();
      receiptId = last?.id ?? null;
    }
    await tx
      .updateTable('workspace_purges')
      .set({ shred_receipt_id: receiptId, updated_at: deps.clock() })
      .execute();
    await recordEvent(tx, {
      action: 'workspace.purge.shredded',
      metadata: { receipt_id: receiptId },
    });
    return true;
  });
  if (shredded === undefined) return false;
  if (shredded) await deps.onStep?.('shredded', principal.tenantId);
  return true;
}

/** Step 2: the objects, deleted (idempotently) and counted once. */
async function deleteObjectsOnce(deps: PurgeRunDeps, principal: Principal): Promise<void> {
  const row = await deps.db.withTenant(principal, (tx) =>
    tx.selectFrom('workspace_purges').select('objects_deleted').executeTakeFirstOrThrow(),
  );
  if (row.objects_deleted !== null) return;
  const count = await deps.storage.deleteShreddedObjects(principal, 'purge');
  await deps.db.withTenant(principal, (tx) =>
    tx
      .updateTable('workspace_purges')
      .set({ objects_deleted: count, updated_at: deps.clock() })
      .where('objects_deleted', 'is', null)
      .execute(),
  );
  await deps.onStep?.('objects_deleted', principal.tenantId);
}

interface Finished {
  readonly receiptId: string | null;
  readonly objectsDeleted: number;
  readonly receipt: { readonly json: string; readonly shreddedAt: string; readonly keys: number };
  readonly owners: readonly string[];
}

/** Owners' addresses (a pseudonymised person's address goes nowhere and is skipped). */
export async function ownerEmails(tx: TenantTx): Promise<string[]> {
  const rows = await tx
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('users.email')
    .where('memberships.role', '=', 'owner')
    .where('users.email', 'not like', '%@deleted.invalid')
    .orderBy('users.email')
    .execute();
  return rows.map((r) => r.email);
}

/** Step 3: done, and the receipt's send claimed, in one transaction. */
async function finish(deps: PurgeRunDeps, principal: Principal): Promise<Finished | undefined> {
  return deps.db.withTenant(principal, async (tx) => {
    const now = deps.clock();
    const done = await tx
      .updateTable('workspace_purges')
      .set({ state: 'done', completed_at: now, receipt_claimed_at: now, updated_at: now })
      .where('state', '=', 'purging')
      .where('receipt_claimed_at', 'is', null)
      .returning(['shred_receipt_id', 'objects_deleted'])
      .executeTakeFirst();
    if (done === undefined) return undefined;
    const objectsDeleted = done.objects_deleted ?? 0;
    await recordEvent(tx, {
      action: 'workspace.purge.completed',
      metadata: { receipt_id: done.shred_receipt_id, objects_deleted: objectsDeleted },
    });
    const receipts = await listShredReceipts(tx, deps.signer);
    const signed = receipts.find((r) => r.receipt.receipt_id === done.shred_receipt_id);
    return {
      receiptId: done.shred_receipt_id,
      objectsDeleted,
      receipt: {
        json: JSON.stringify(signed ?? null),
        shreddedAt: signed?.receipt.shredded_at ?? now.toISOString(),
        keys: signed?.receipt.destroyed.length ?? 0,
      },
      owners: await ownerEmails(tx),
    };
  });
}

async function sendReceipts(
  deps: PurgeRunDeps,
  principal: Principal,
  done: Finished,
): Promise<number> {
  if (done.receiptId === null) return 0;
  let sent = 0;
  for (const to of done.owners) {
    try {
      const outcome = await deps.mailer.send({
        to,
        template: 'workspace_purge_receipt',
        data: {
          workspaceId: principal.tenantId,
          receiptId: done.receiptId,
          shreddedAt: done.receipt.shreddedAt,
          keyVersions: done.receipt.keys,
          objectsDeleted: done.objectsDeleted,
          receiptJson: done.receipt.json,
        },
      });
      await recordMailSendFor(deps.db, principal, outcome);
      if (outcome.status === 'delivered') sent += 1;
    } catch {
      // A message the mailer will not build sent nothing; the other owners still get theirs.
    }
  }
  return sent;
}

/** Runs (or resumes) the claimed purge of one workspace; undefined if it is not purging. */
export async function runPurge(
  deps: PurgeRunDeps,
  workspaceId: string,
): Promise<PurgeResult | undefined> {
  const principal = systemPrincipal(workspaceId, PURGE_ACTOR);
  if (!(await shredOnce(deps, principal))) return undefined;
  await deleteObjectsOnce(deps, principal);
  const done = await finish(deps, principal);
  if (done === undefined) return undefined;
  await deps.onStep?.('completed', workspaceId);
  const receiptsSent = await sendReceipts(deps, principal, done);
  return { receiptId: done.receiptId, objectsDeleted: done.objectsDeleted, receiptsSent };
}

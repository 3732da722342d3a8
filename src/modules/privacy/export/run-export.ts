/**
 * One run of an export's job, for the export record `exportId`:
 *
 * 1. read the record (as the system); nothing to do once it is completed or
 *    failed, so a job delivered twice does nothing the second time;
 * 2. claim it, acting for the requester (queuedPrincipal): `running`, one
 *    more attempt, `privacy.export.started`;
 * 3. stream the zip into the store in one tenant transaction (the stream
 *    lane), the rows written per file copied to the record about every
 *    second from separate short transactions, so a poller sees them;
 * 4. complete it: object key, size, counts, link expiry,
 *    `privacy.export.completed`, and the access request it answers completed
 *    (if that request may still move there); then, committed, email the
 *    link.
 *
 * The object's key is built from the export's ids only, so a run after a
 * worker died mid-export replaces the same object: one object per export.
 * A failure that may pass (storage unreachable, a dropped connection) is
 * thrown for pg-boss to retry; a lasting one (an AppError such as a
 * shredded workspace), or any failure on the last attempt, ends the export
 * `failed` with a stable code and `privacy.export.failed`.
 */
import type { Database } from '../../../db/database.js';
import { isAppError } from '../../../base/errors.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { queuedPrincipal, systemPrincipal, type Principal } from '../../../db/principal.js';
import { recordEvent } from '../../audit/index.js';
import type { Keyring } from '../../keys/index.js';
import type { Storage } from '../../storage/index.js';
import { findExport, type ExportRecord } from './export-store.js';
import { completesRequest } from './request-link.js';
import { reportProgress } from './progress.js';
import {
  completedMetadata,
  emailLink,
  EXPORT_LINK_SECONDS,
  writeExportObject,
  type ExportMailer,
  type StoredExport,
} from './workspace-export.js';
import type { EntryCounts } from './zip.js';

export interface ExportJobDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Keyring;
  readonly storage: Pick<Storage, 'write' | 'downloadLink'>;
  readonly mailer?: ExportMailer | undefined;
  /** Now, for the request the export completes (its deadline bookkeeping). */
  readonly clock: () => Date;
  /** How often progress is copied to the record (default 1 s). */
  readonly progressMs?: number;
  /** Rows per page (tests make it small). */
  readonly pageSize?: number;
}

export type ExportJobOutcome = 'completed' | 'failed' | 'skipped';

/** Codes that may pass: the job is retried (until its last attempt). */
const TRANSIENT = new Set(['storage_unavailable', 'internal']);

export async function runExportJob(
  deps: ExportJobDeps,
  job: { readonly tenantId: string; readonly exportId: string },
  attempt: { readonly final: boolean },
): Promise<ExportJobOutcome> {
  const found = await deps.db.withTenant(
    systemPrincipal(job.tenantId, 'privacy-export', job.exportId),
    (tx) => findExport(tx, job.exportId),
  );
  if (found === undefined || found.state === 'completed' || found.state === 'failed') {
    return 'skipped';
  }
  const principal = queuedPrincipal(job.tenantId, { type: 'user', id: found.requested_by });
  if (!(await claim(deps, principal, found))) return 'skipped';
  const counts: EntryCounts = {};
  let stored: StoredExport;
  const progress = reportProgress(counts, deps.progressMs ?? 1000, (p) =>
    deps.db.withTenant(principal, async (tx) => {
      await tx
        .updateTable('privacy_exports')
        .set({ progress: JSON.stringify(p), updated_at: new Date() })
        .where('id', '=', found.id)
        .where('state', '=', 'running')
        .execute();
    }),
  );
  try {
    stored = await deps.db.withTenant(
      principal,
      (tx) =>
        writeExportObject(
          tx,
          deps,
          { id: found.id, scope: found.scope, form: found.form, requesterId: found.requested_by },
          counts,
        ),
      'stream',
    );
  } catch (error) {
    await progress.stop();
    const code = isAppError(error) ? error.code : 'internal';
    if (!attempt.final && (!isAppError(error) || TRANSIENT.has(code))) throw error;
    await fail(deps, principal, found.id, code);
    return 'failed';
  }
  await progress.stop();
  return complete(deps, principal, found, stored);
}

async function claim(
  deps: ExportJobDeps,
  principal: Principal,
  found: ExportRecord,
): Promise<boolean> {
  return deps.db.withTenant(principal, async (tx) => {
    const row = await tx
      .updateTable('privacy_exports')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        started_at: new Date(),
        updated_at: new Date(),
      }))
      .where('id', '=', found.id)
      .where('state', 'in', ['queued', 'running'])
      .returning('attempts')
      .executeTakeFirst();
    if (row === undefined) return false;
    await recordEvent(tx, {
      action: 'privacy.export.started',
      targets: [{ type: 'privacy_export', id: found.id }],
      metadata: { scope: found.scope, form: found.form, attempt: row.attempts },
    });
    return true;
  });
}

async function fail(
  deps: ExportJobDeps,
  principal: Principal,
  id: string,
  code: string,
): Promise<void> {
  await deps.db.withTenant(principal, async (tx) => {
    const row = await tx
      .updateTable('privacy_exports')
      .set({ state: 'failed', error_code: code, updated_at: new Date() })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) return;
    await recordEvent(tx, {
      action: 'privacy.export.failed',
      targets: [{ type: 'privacy_export', id }],
      metadata: { error_code: code },
    });
  });
}

async function complete(
  deps: ExportJobDeps,
  principal: Principal,
  found: ExportRecord,
  stored: StoredExport,
): Promise<ExportJobOutcome> {
  const link = deps.storage.downloadLink(stored.key, EXPORT_LINK_SECONDS);
  const done = await deps.db.withTenant(principal, async (tx) => {
    const row = await tx
      .updateTable('privacy_exports')
      .set({
        state: 'completed',
        object_key: stored.key,
        size: stored.size,
        counts: JSON.stringify(stored.counts),
        progress: JSON.stringify(stored.counts),
        expires_at: link.expiresAt,
        completed_at: new Date(),
        updated_at: new Date(),
      })
      .where('id', '=', found.id)
      .where('state', '=', 'running')
      .returning('id')
      .executeTakeFirst();
    if (row === undefined) return false;
    await recordEvent(tx, {
      action: 'privacy.export.completed',
      targets: [
        { type: 'privacy_export', id: found.id },
        { type: 'object', id: stored.key },
      ],
      metadata: { scope: found.scope, ...completedMetadata(found.form, stored) },
    });
    await completeRequest(deps, tx, found);
    return true;
  });
  if (!done) return 'skipped';
  await deps.db.withTenant(principal, (tx) =>
    emailLink(tx, deps.mailer, { form: found.form, requesterId: found.requested_by }, link),
  );
  return 'completed';
}

/**
 * The access request the export answers moves to completed, if it still
 * may: a request cancelled or completed meanwhile stays as it is (the
 * export stands; its record names the request).
 */
async function completeRequest(
  deps: ExportJobDeps,
  tx: TenantTx,
  found: ExportRecord,
): Promise<void> {
  if (found.request_id === null) return;
  const link = completesRequest(deps, found.request_id);
  try {
    await link.check(tx);
  } catch (error) {
    if (isAppError(error)) return;
    throw error;
  }
  await link.complete(tx, found.id);
}

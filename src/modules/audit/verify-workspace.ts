/**
 * Verifies one workspace's live chain: reads its events in seq order, in
 * pages (constant memory), inside its own RLS scope, and checks them against
 * the newest external checkpoint, whose signature must hold.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { systemPrincipal } from '../../db/principal.js';
import { auditRecordSelect, type AuditRecord } from './event.js';
import {
  isCheckpointSigned,
  latestExternalCheckpoint,
  chainPending,
  type Checkpoint,
} from './checkpoints.js';
import { verifyChain, type VerifyResult } from './verify.js';

const PAGE = 5_000;

export interface WorkspaceVerification extends VerifyResult {
  readonly tenantId: string;
  readonly checkpoint: Checkpoint | undefined;
}

export async function verifyWorkspace(
  db: Pick<Database, 'withTenant'>,
  tenantId: string,
  options: { checkpointDir: string; publicKey: string },
): Promise<WorkspaceVerification> {
  const checkpoint = await latestExternalCheckpoint(options.checkpointDir, tenantId);
  if (checkpoint !== undefined && !isCheckpointSigned(checkpoint, options.publicKey)) {
    return {
      tenantId,
      checkpoint,
      ok: false,
      events: 0,
      lastSeq: 0,
      firstBadSeq: checkpoint.seq,
      problem:
        'the external checkpoint does not carry a valid signature of the configured audit key',
    };
  }
  const result = await verifyChain(liveEvents(db, tenantId), {
    tenantId,
    ...(checkpoint === undefined
      ? {}
      : {
          checkpoints: [{ seq: checkpoint.seq, hash: checkpoint.hash }],
          mustReach: checkpoint.seq,
        }),
  });
  return { ...result, tenantId, checkpoint };
}

async function* liveEvents(
  db: Pick<Database, 'withTenant'>,
  tenantId: string,
): AsyncGenerator<AuditRecord> {
  const principal = systemPrincipal(tenantId, 'audit-verify');
  // Keyset on (seq, occurred_at), the primary key after tenant_id, so a
  // duplicated seq (an inserted row) is never skipped at a page boundary.
  await db.withTenant(principal, (tx) => chainPending(tx));
  let after = { seq: 0, at: '-infinity' };
  for (;;) {
    const rows = await db.withTenant(principal, (tx) =>
      tx
        .selectFrom('audit_log as a')
        .select(auditRecordSelect().as('record'))
        .where('a.seq', 'is not', null)
        .where(
          sql<boolean>`(a.seq, a.occurred_at) > (${after.seq}::bigint, ${after.at}::timestamptz)`,
        )
        .orderBy('a.seq')
        .orderBy('a.occurred_at')
        .limit(PAGE)
        .execute(),
    );
    for (const { record } of rows) yield record;
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < PAGE) return;
    after = { seq: last.record.seq, at: last.record.occurred_at };
  }
}

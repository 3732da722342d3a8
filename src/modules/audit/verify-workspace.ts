/**
 * Verifies one workspace's live chain: reads its events in seq order, in
 * pages (constant memory), inside its own RLS scope, and checks them against
 * every signed checkpoint, those stored in the database and those in the
 * external folder, whose signatures must all hold. The chain must reach the
 * newest of them and carry each one's hash. The two stores must agree: a
 * checkpoint in one and not the other, or different in each, fails too.
 */
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import { systemPrincipal } from '../../db/principal.js';
import { auditRecordSelect, type AuditRecord } from './event.js';
import {
  isCheckpointSigned,
  readExternalCheckpoints,
  readStoredCheckpoints,
  chainPending,
  type Checkpoint,
} from './checkpoints.js';
import { verifyChain, type VerifyResult } from './verify.js';

const PAGE = 5_000;

export interface CheckpointDisagreement {
  readonly seq: number;
  readonly problem: string;
}

export interface WorkspaceVerification extends VerifyResult {
  readonly tenantId: string;
  /** The newest signed checkpoint (database or folder). */
  readonly checkpoint: Checkpoint | undefined;
  /** Distinct signed checkpoints the chain was compared with. */
  readonly checkpointsUsed: number;
  /** Where the database's checkpoints and the external folder's differ. */
  readonly disagreements: readonly CheckpointDisagreement[];
}

export async function verifyWorkspace(
  db: Pick<Database, 'withTenant'>,
  tenantId: string,
  options: { checkpointDir: string; publicKey: string },
): Promise<WorkspaceVerification> {
  const external = await readExternalCheckpoints(options.checkpointDir, tenantId);
  const stored = await db.withTenant(systemPrincipal(tenantId, 'audit-verify'), (tx) =>
    readStoredCheckpoints(tx),
  );
  const disagreements = compareCheckpoints(stored, external);
  const all = [...stored, ...external].sort((a, b) => a.seq - b.seq);
  const checkpoint = all.at(-1);
  const base = { tenantId, checkpoint, checkpointsUsed: 0, disagreements };
  const unsigned = all.find((c) => !isCheckpointSigned(c, options.publicKey));
  if (unsigned !== undefined) {
    const where = stored.includes(unsigned) ? 'database' : 'external folder';
    return {
      ...base,
      ok: false,
      events: 0,
      lastSeq: 0,
      lastHash: '',
      firstBadSeq: unsigned.seq,
      problem: `the checkpoint of seq ${unsigned.seq} in the ${where} does not carry a valid signature of the configured audit key`,
    };
  }
  const result = await verifyChain(liveEvents(db, tenantId), {
    tenantId,
    checkpoints: all,
    ...(checkpoint === undefined ? {} : { mustReach: checkpoint.seq }),
  });
  const used = new Set(all.filter((c) => c.seq <= result.lastSeq).map((c) => c.seq)).size;
  const first = disagreements[0];
  if (result.ok && first !== undefined) {
    return {
      ...result,
      ...base,
      checkpointsUsed: used,
      ok: false,
      firstBadSeq: first.seq,
      problem: `the database and the checkpoint folder disagree (${disagreements.length}): ${first.problem}`,
    };
  }
  return { ...result, ...base, checkpointsUsed: used };
}

const sameCheckpoint = (a: Checkpoint, b: Checkpoint): boolean =>
  a.hash === b.hash &&
  a.signature === b.signature &&
  a.key_id === b.key_id &&
  Date.parse(a.signed_at) === Date.parse(b.signed_at);

/** Every seq where the stored and external checkpoints differ, in seq order. */
export function compareCheckpoints(
  stored: readonly Checkpoint[],
  external: readonly Checkpoint[],
): CheckpointDisagreement[] {
  const inDb = new Map(stored.map((c) => [c.seq, c]));
  const outside = new Map(external.map((c) => [c.seq, c]));
  const seqs = [...new Set([...inDb.keys(), ...outside.keys()])].sort((a, b) => a - b);
  const found: CheckpointDisagreement[] = [];
  for (const seq of seqs) {
    const a = inDb.get(seq);
    const b = outside.get(seq);
    if (b === undefined) found.push({ seq, problem: `seq ${seq} is in the database only` });
    else if (a === undefined)
      found.push({ seq, problem: `seq ${seq} is in the checkpoint folder only` });
    else if (!sameCheckpoint(a, b))
      found.push({ seq, problem: `seq ${seq} differs between the database and the folder` });
  }
  return found;
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

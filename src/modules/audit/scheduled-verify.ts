/**
 * Scheduled verification in the server: each run verifies at most `perRun`
 * workspaces, those verified longest ago first (never verified counts as
 * oldest; ties by id), each one in full with `verifyWorkspace` (the same walk
 * as `wardroom audit verify`, paged, constant memory). The result is written
 * into the workspace's own log as `audit.verified` or
 * `audit.verification_failed`, by the system principal `audit-verifier`, and
 * a failure is logged at error level. `latestVerification` reads the newest
 * such event back, for `wardroom status`.
 *
 * When each workspace was last verified is kept in memory, read once per
 * process from each workspace's newest verification event.
 */
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.js';
import { systemPrincipal } from '../../db/principal.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { listWorkspaceIds } from './checkpoints.js';
import { recordEvent } from './record.js';
import { verifyWorkspace, type WorkspaceVerification } from './verify-workspace.js';

export const VERIFIED = 'audit.verified';
export const VERIFICATION_FAILED = 'audit.verification_failed';
const REASON = 'audit-verifier';

/** A workspace's newest scheduled verification, as recorded in its log. */
export interface VerificationStatus {
  /** When the verification's event was written (ISO 8601). */
  readonly verifiedAt: string;
  readonly ok: boolean;
  /** Events walked. */
  readonly events: number;
  readonly headSeq: number;
  readonly firstBadSeq: number | null;
  /** Signed checkpoints the chain was compared with. */
  readonly checkpoints: number;
  readonly problem: string | null;
}

/** The newest verification event of the transaction's workspace, if any. */
export async function latestVerification(tx: TenantTx): Promise<VerificationStatus | undefined> {
  const row = await tx
    .selectFrom('audit_log')
    .select(['action', 'metadata', 'occurred_at'])
    .where('action', 'in', [VERIFIED, VERIFICATION_FAILED])
    // Newest first; an event not chained yet (seq null) is the newest.
    .orderBy(sql`seq desc nulls first`)
    .orderBy('occurred_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const m = (typeof row.metadata === 'string' ? JSON.parse(row.metadata) : row.metadata) as Record<
    string,
    unknown
  >;
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    verifiedAt: new Date(row.occurred_at).toISOString(),
    ok: row.action === VERIFIED && m['ok'] === true,
    events: num(m['events']) ?? 0,
    headSeq: num(m['head_seq']) ?? 0,
    firstBadSeq: num(m['first_bad_seq']),
    checkpoints: num(m['checkpoints']) ?? 0,
    problem: typeof m['problem'] === 'string' ? m['problem'] : null,
  };
}

export interface ScheduledVerifier {
  /** One bounded run; returns the workspaces it verified, in order. */
  run(): Promise<WorkspaceVerification[]>;
}

export function createScheduledVerifier(deps: {
  db: Pick<Database, 'withTenant' | 'withSystem'>;
  publicKey: string;
  checkpointDir: string;
  /** Workspaces verified per run; 0 verifies none. */
  perRun: number;
  logger: Pick<Logger, 'info' | 'error'>;
  /** Which workspaces exist (default: all of them). */
  listWorkspaces?: () => Promise<string[]>;
}): ScheduledVerifier {
  const { db, logger } = deps;
  const list = deps.listWorkspaces ?? (() => listWorkspaceIds(db));
  const lastVerified = new Map<string, number>();
  const principal = (id: string) => systemPrincipal(id, REASON);

  async function pick(): Promise<string[]> {
    const ids = await list();
    const present = new Set(ids);
    for (const id of lastVerified.keys()) if (!present.has(id)) lastVerified.delete(id);
    for (const id of ids) {
      if (lastVerified.has(id)) continue;
      const last = await db.withTenant(principal(id), (tx) => latestVerification(tx));
      lastVerified.set(id, last === undefined ? 0 : Date.parse(last.verifiedAt));
    }
    const at = (id: string) => lastVerified.get(id) ?? 0;
    return [...ids].sort((a, b) => at(a) - at(b) || a.localeCompare(b)).slice(0, deps.perRun);
  }

  async function verifyOne(id: string): Promise<WorkspaceVerification> {
    let r: WorkspaceVerification;
    try {
      r = await verifyWorkspace(db, id, deps);
    } catch (error) {
      logger.error({ err: error, tenant_id: id }, 'audit verification could not complete');
      r = {
        ...{ tenantId: id, checkpoint: undefined, checkpointsUsed: 0, disagreements: [] },
        ...{ ok: false, events: 0, lastSeq: 0, lastHash: '' },
        problem: 'verification did not complete (see the server log)',
      };
    }
    await db.withTenant(principal(id), (tx) =>
      recordEvent(tx, {
        action: r.ok ? VERIFIED : VERIFICATION_FAILED,
        metadata: {
          ok: r.ok,
          events: r.events,
          head_seq: r.lastSeq,
          first_bad_seq: r.firstBadSeq ?? null,
          checkpoints: r.checkpointsUsed,
          problem: r.problem?.slice(0, 500) ?? null,
        },
      }),
    );
    lastVerified.set(id, Date.now());
    if (!r.ok) {
      logger.error(
        { tenant_id: id, first_bad_seq: r.firstBadSeq ?? null, problem: r.problem },
        'audit verification FAILED',
      );
    }
    return r;
  }

  return {
    async run() {
      if (deps.perRun <= 0) return [];
      const results: WorkspaceVerification[] = [];
      for (const id of await pick()) results.push(await verifyOne(id));
      return results;
    },
  };
}

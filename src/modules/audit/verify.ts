/**
 * Chain verification, for the live database and for exported files alike.
 * Walks events in seq order and names the first bad sequence number: a gap
 * (deleted event), a repeated or out-of-order seq (inserted or reordered),
 * a prev_hash that does not match (inserted, reordered, or rehashed edit),
 * or a hash that does not match the event (altered). A chain cut short at
 * its end looks valid on its own, so the last external checkpoint is
 * compared too: its seq must exist and carry the hash it signed.
 */
import { eventHash, GENESIS_HASH, type AuditRecord } from './event.js';

export interface CheckpointClaim {
  readonly seq: number;
  readonly hash: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  readonly events: number;
  readonly lastSeq: number;
  /** The hash of event lastSeq (GENESIS_HASH when there is none). */
  readonly lastHash: string;
  readonly firstBadSeq?: number;
  readonly problem?: string;
}

export async function verifyChain(
  events: AsyncIterable<AuditRecord> | Iterable<AuditRecord>,
  options: {
    tenantId?: string;
    /** Signed heads the chain must agree with wherever it covers their seq. */
    checkpoints?: readonly CheckpointClaim[];
    /** A seq the chain must reach (the newest external checkpoint, for the live log). */
    mustReach?: number;
  } = {},
): Promise<VerifyResult> {
  const pinned = new Map((options.checkpoints ?? []).map((c) => [c.seq, c.hash]));
  let expected = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  const fail = (seq: number, problem: string): VerifyResult => ({
    ok: false,
    events: count,
    lastSeq: expected - 1,
    lastHash: prev,
    firstBadSeq: seq,
    problem,
  });
  for await (const e of events) {
    count += 1;
    if (options.tenantId !== undefined && e.tenant_id !== options.tenantId) {
      return fail(e.seq, `event belongs to another workspace (${e.tenant_id})`);
    }
    if (e.seq > expected)
      return fail(expected, `event ${expected} is missing (next present is ${e.seq})`);
    if (e.seq < expected) return fail(e.seq, `event ${e.seq} appears out of order or twice`);
    if (e.prev_hash !== prev)
      return fail(e.seq, `event ${e.seq} does not link to event ${e.seq - 1}`);
    if (eventHash(e) !== e.hash)
      return fail(e.seq, `event ${e.seq} was altered (its hash does not match)`);
    const signed = pinned.get(e.seq);
    if (signed !== undefined && signed !== e.hash) {
      return fail(e.seq, `event ${e.seq} differs from the signed checkpoint`);
    }
    prev = e.hash;
    expected += 1;
  }
  const lastSeq = expected - 1;
  if (options.mustReach !== undefined && lastSeq < options.mustReach) {
    return {
      ok: false,
      events: count,
      lastSeq,
      lastHash: prev,
      firstBadSeq: lastSeq + 1,
      problem: `events ${lastSeq + 1}..${options.mustReach} were deleted (a signed checkpoint covers seq ${options.mustReach})`,
    };
  }
  return { ok: true, events: count, lastSeq, lastHash: prev };
}

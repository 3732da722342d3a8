/**
 * Offline verification of an exported log (`GET /activity/export`, JSONL or
 * CSV). The chain alone proves no event inside the export was altered,
 * removed, added or moved, but not that the file is whole, nor who wrote it:
 * a file cut short, or edited and rehashed from the edit on, is still a valid
 * chain. Given the audit public key, the export's final record, the signed
 * head (head.ts), must carry a valid signature and be exactly the file's last
 * event (same seq and hash); every signed checkpoint in the external folder
 * that the export covers must agree too. Checkpoints newer than the export
 * are reported, since the export may simply predate them.
 */
import { createReadStream } from 'node:fs';
import { AppError } from '../../base/errors.js';
import { readExternalCheckpoints, isCheckpointSigned, type Checkpoint } from './checkpoints.js';
import { readExportEntries } from './csv.js';
import type { AuditRecord } from './event.js';
import { verifyChain, type VerifyResult } from './verify.js';

export interface FileVerification extends VerifyResult {
  readonly tenantId: string;
  /** False without a public key: only the chain's integrity was checked. */
  readonly completenessChecked: boolean;
  /** Signed checkpoints (the head and external ones) the check compared the file with. */
  readonly checkpointsUsed: number;
  /** The signed head the file ends with, if any. */
  readonly head: Checkpoint | undefined;
  readonly newerCheckpoint: number | undefined;
}

export async function verifyExportFile(
  file: string,
  options: { checkpointDir: string; publicKey?: string; tenantId?: string },
): Promise<FileVerification> {
  const entries = readExportEntries(createReadStream(file), /\.csv$/i.test(file) ? 'csv' : 'jsonl');
  const iterator = entries[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) throw new AppError('validation_failed', `${file} holds no events`);
  const tenantId =
    options.tenantId ??
    (first.value.kind === 'event' ? first.value.event.tenant_id : first.value.head.tenant_id);
  const external =
    options.publicKey === undefined ? [] : await signedCheckpoints(options, tenantId);
  let head: Checkpoint | undefined;
  let afterHead: AuditRecord | undefined;
  async function* events(): AsyncGenerator<AuditRecord> {
    for (let next = first; next.done !== true; next = await iterator.next()) {
      const entry = next.value;
      if (entry.kind === 'event') {
        if (head !== undefined) afterHead ??= entry.event;
        yield entry.event;
      } else if (head === undefined) head = entry.head;
      else throw new AppError('validation_failed', `${file} holds two signed heads`);
    }
  }
  const chain = await verifyChain(events(), { tenantId, checkpoints: external });
  const result =
    chain.ok && options.publicKey !== undefined
      ? checkHead(chain, { head, afterHead, tenantId, publicKey: options.publicKey })
      : chain;
  const newest = external.at(-1);
  const pinned = new Set(external.filter((c) => c.seq <= chain.lastSeq).map((c) => c.seq));
  if (options.publicKey !== undefined && head !== undefined) pinned.add(head.seq);
  return {
    ...result,
    tenantId,
    completenessChecked: options.publicKey !== undefined,
    checkpointsUsed: pinned.size,
    head,
    newerCheckpoint: newest !== undefined && newest.seq > chain.lastSeq ? newest.seq : undefined,
  };
}

/** The file must end with a head signed by `publicKey` that is its last event. */
function checkHead(
  chain: VerifyResult,
  f: {
    head: Checkpoint | undefined;
    afterHead: AuditRecord | undefined;
    tenantId: string;
    publicKey: string;
  },
): VerifyResult {
  const fail = (firstBadSeq: number, problem: string): VerifyResult => ({
    ...chain,
    ok: false,
    firstBadSeq,
    problem,
  });
  const next = chain.lastSeq + 1;
  const { head } = f;
  if (head === undefined) {
    return fail(next, `the file has no signed head: events after seq ${chain.lastSeq} may be cut`);
  }
  if (f.afterHead !== undefined) {
    return fail(f.afterHead.seq, `event ${f.afterHead.seq} follows the signed head`);
  }
  if (head.tenant_id !== f.tenantId) {
    return fail(head.seq, `the signed head belongs to another workspace (${head.tenant_id})`);
  }
  if (!isCheckpointSigned(head, f.publicKey)) {
    return fail(head.seq, 'the signed head does not carry a valid signature of the given key');
  }
  if (head.seq > chain.lastSeq) {
    return fail(
      next,
      `events ${next}..${head.seq} are missing (the signed head is seq ${head.seq})`,
    );
  }
  if (head.seq < chain.lastSeq) {
    return fail(head.seq + 1, `events after the signed head (seq ${head.seq}) were added`);
  }
  if (head.hash !== chain.lastHash) {
    return fail(
      head.seq,
      `event ${head.seq} differs from the signed head (the chain was rehashed)`,
    );
  }
  return chain;
}

async function signedCheckpoints(
  options: { checkpointDir: string; publicKey?: string },
  tenantId: string,
) {
  const all = await readExternalCheckpoints(options.checkpointDir, tenantId);
  const publicKey = options.publicKey ?? '';
  const unsigned = all.find((c) => !isCheckpointSigned(c, publicKey));
  if (unsigned !== undefined) {
    throw new AppError(
      'validation_failed',
      `checkpoint seq ${unsigned.seq} is not signed by the given public key`,
    );
  }
  return all;
}

/**
 * Offline verification of an exported log (`GET /activity/export`, JSONL or
 * CSV): the chain alone proves no event inside the export was altered,
 * removed, added or moved. Given the audit public key, every signed external
 * checkpoint inside the exported range must also agree; checkpoints newer
 * than the export are reported, since the export may simply predate them.
 */
import { createReadStream } from 'node:fs';
import { AppError } from '../../base/errors.js';
import { readExternalCheckpoints, isCheckpointSigned } from './checkpoints.js';
import { parseCsvExport, parseJsonlExport } from './csv.js';
import type { AuditRecord } from './event.js';
import { verifyChain, type VerifyResult } from './verify.js';

export interface FileVerification extends VerifyResult {
  readonly tenantId: string;
  readonly checkpointsUsed: number;
  readonly newerCheckpoint: number | undefined;
}

export async function verifyExportFile(
  file: string,
  options: { checkpointDir: string; publicKey?: string; tenantId?: string },
): Promise<FileVerification> {
  const records: AsyncIterable<AuditRecord> = /\.csv$/i.test(file)
    ? parseCsvExport(createReadStream(file))
    : parseJsonlExport(createReadStream(file));
  const iterator = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) throw new AppError('validation_failed', `${file} holds no events`);
  const tenantId = options.tenantId ?? first.value.tenant_id;
  const checkpoints =
    options.publicKey === undefined ? [] : await signedCheckpoints(options, tenantId);
  async function* all(): AsyncGenerator<AuditRecord> {
    yield first.value as AuditRecord;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next())
      yield next.value;
  }
  const result = await verifyChain(all(), { tenantId, checkpoints });
  const newest = checkpoints.at(-1);
  return {
    ...result,
    tenantId,
    checkpointsUsed: checkpoints.filter((c) => c.seq <= result.lastSeq).length,
    newerCheckpoint: newest !== undefined && newest.seq > result.lastSeq ? newest.seq : undefined,
  };
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

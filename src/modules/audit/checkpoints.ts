/**
 * Signed checkpoints of each workspace's chain head. Each checkpoint is
 * stored in the database and appended to a file outside it
 * (`<dir>/<workspace>.jsonl`), because no in-database chain can reveal that
 * its newest events were deleted: `audit verify` compares the live chain
 * with the last external checkpoint.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Database } from '../../db/database.js';
import type { TenantTx } from '../../db/tenant-tx.js';
import { systemPrincipal } from '../../db/principal.js';
import { AppError } from '../../base/errors.js';
import { isUuid } from '../../base/uuid.js';
import { canonicalJson, verifySignature } from '../crypto/index.js';
import type { AuditSigner } from './signer.js';

export interface Checkpoint {
  readonly tenant_id: string;
  readonly seq: number;
  readonly hash: string;
  readonly signed_at: string;
  readonly key_id: string;
  /** base64 Ed25519 signature over checkpointPayload(). */
  readonly signature: string;
}

export function checkpointPayload(c: Omit<Checkpoint, 'signature'>): string {
  return canonicalJson({
    v: 1,
    tenant_id: c.tenant_id,
    seq: c.seq,
    hash: c.hash,
    signed_at: c.signed_at,
    key_id: c.key_id,
  });
}

export function isCheckpointSigned(c: Checkpoint, publicKeyBase64: string): boolean {
  return verifySignature(publicKeyBase64, checkpointPayload(c), Buffer.from(c.signature, 'base64'));
}

/** Chains the workspace's committed, unchained events (sql/audit_seal.sql). */
export async function chainPending(tx: TenantTx): Promise<number> {
  const { rows } = await sql<{ n: number | null }>`select wardroom.audit_seal() as n`.execute(tx);
  return rows[0]?.n ?? 0;
}

/** Signs the current head of one workspace's chain; undefined when nothing new. */
export async function createCheckpoint(
  db: Pick<Database, 'withTenant'>,
  signer: AuditSigner,
  dir: string,
  tenantId: string,
): Promise<Checkpoint | undefined> {
  const checkpoint = await db.withTenant(
    systemPrincipal(tenantId, 'audit-checkpointer'),
    async (tx) => {
      await chainPending(tx);
      const head = await tx.selectFrom('audit_heads').select(['seq', 'hash']).executeTakeFirst();
      if (head === undefined || Number(head.seq) === 0) return undefined;
      const last = await tx
        .selectFrom('audit_checkpoints')
        .select('seq')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (last !== undefined && last.seq === head.seq) return undefined;
      const unsigned = {
        tenant_id: tenantId,
        seq: Number(head.seq),
        hash: head.hash.toString('hex'),
        signed_at: new Date().toISOString(),
        key_id: signer.keyId,
      };
      const signature = signer.sign(checkpointPayload(unsigned));
      await tx
        .insertInto('audit_checkpoints')
        .values({
          tenant_id: tenantId,
          seq: String(unsigned.seq),
          hash: head.hash,
          signed_at: new Date(unsigned.signed_at),
          key_id: signer.keyId,
          signature,
        })
        .execute();
      return { ...unsigned, signature: signature.toString('base64') };
    },
  );
  if (checkpoint !== undefined) await appendExternal(dir, checkpoint);
  return checkpoint;
}

/**
 * The checkpoints stored in the database for the transaction's workspace
 * (RLS scopes the query), oldest first; with `newestOnly`, just the newest.
 */
export async function readStoredCheckpoints(
  tx: TenantTx,
  options: { newestOnly?: boolean } = {},
): Promise<Checkpoint[]> {
  let query = tx
    .selectFrom('audit_checkpoints')
    .select(['tenant_id', 'seq', 'hash', 'signed_at', 'key_id', 'signature'])
    .orderBy('seq', options.newestOnly === true ? 'desc' : 'asc');
  if (options.newestOnly === true) query = query.limit(1);
  const rows = await query.execute();
  return rows.map((r) => ({
    tenant_id: r.tenant_id,
    seq: Number(r.seq),
    hash: r.hash.toString('hex'),
    signed_at: new Date(r.signed_at).toISOString(),
    key_id: r.key_id,
    signature: r.signature.toString('base64'),
  }));
}

/** Checkpoints every workspace; returns how many were written. */
export async function checkpointAll(
  db: Pick<Database, 'withTenant' | 'withSystem'>,
  signer: AuditSigner,
  dir: string,
): Promise<number> {
  const ids = await listWorkspaceIds(db);
  let written = 0;
  for (const id of ids)
    if ((await createCheckpoint(db, signer, dir, id)) !== undefined) written += 1;
  return written;
}

export async function listWorkspaceIds(db: Pick<Database, 'withSystem'>): Promise<string[]> {
  return db.withSystem('audit: list workspaces for checkpoints and verification', (tx) =>
    tx.call('list_workspace_ids'),
  );
}

async function appendExternal(dir: string, checkpoint: Checkpoint): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await fs.appendFile(externalFile(dir, checkpoint.tenant_id), `${JSON.stringify(checkpoint)}\n`, {
    mode: 0o600,
  });
}

function externalFile(dir: string, tenantId: string): string {
  // The id becomes a file name: only a lowercase uuid may get this far.
  if (!isUuid(tenantId) || tenantId !== tenantId.toLowerCase()) {
    throw new AppError('bad_request', 'not a workspace id');
  }
  return path.join(dir, `${tenantId}.jsonl`);
}

/** Every external checkpoint of a workspace, oldest first ([] when none was written). */
export async function readExternalCheckpoints(
  dir: string,
  tenantId: string,
): Promise<Checkpoint[]> {
  let text: string;
  try {
    text = await fs.readFile(externalFile(dir, tenantId), 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Checkpoint);
}

/** The newest external checkpoint of a workspace, or undefined when none was written. */
export async function latestExternalCheckpoint(
  dir: string,
  tenantId: string,
): Promise<Checkpoint | undefined> {
  return (await readExternalCheckpoints(dir, tenantId)).at(-1);
}

/**
 * Tamper evidence: a superuser edits the log in each of the ways an
 * administrator could, and verification names the first bad event. Deleting
 * the newest events, or rewriting the tail with fresh hashes, keeps the chain
 * self-consistent, so those are caught by the signed external checkpoint.
 */
import { rm } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../../src/modules/audit/checkpoints.js';
import { signerFromSeed } from '../../src/modules/crypto/primitives/ed25519.js';
import { verifyWorkspace } from '../../src/modules/audit/verify-workspace.js';
import type { VerifyResult } from '../../src/modules/audit/verify.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminClient, checkpointDir, signer, workspaceWithHistory } from '../support/audit.js';
import { randomBytes } from 'node:crypto';

let t: TestApp;
let admin: pg.Client;
let dir: string;
beforeAll(async () => {
  t = await startTestApp();
  admin = await adminClient();
  dir = await checkpointDir();
});
afterAll(async () => {
  await admin.end();
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const verify = (tenantId: string) =>
  verifyWorkspace(t.db, tenantId, { checkpointDir: dir, publicKey: signer.publicKey });

function expectBad(result: VerifyResult, seq: number | undefined, problem: string): void {
  expect(result.ok).toBe(false);
  if (seq !== undefined) expect(result.firstBadSeq).toBe(seq);
  expect(result.problem).toContain(problem);
}

async function headSeq(tenantId: string): Promise<number> {
  const { rows } = await admin.query<{ seq: string }>(
    'select seq from wardroom.audit_heads where tenant_id = $1',
    [tenantId],
  );
  return Number(rows[0]?.seq);
}

describe('audit chain verification', () => {
  it('verifies an untouched history, with hashes recomputed outside the database', async () => {
    const ws = await workspaceWithHistory(t);
    const result = await verify(ws.id);
    expect(result).toMatchObject({ ok: true });
    expect(result.events).toBeGreaterThanOrEqual(10);
    expect(result.lastSeq).toBe(await headSeq(ws.id));
  });

  it('names an altered event', async () => {
    const ws = await workspaceWithHistory(t);
    await admin.query(
      `update wardroom.audit_log set metadata = '{"note":"edited"}' where tenant_id = $1 and seq = 3`,
      [ws.id],
    );
    expectBad(await verify(ws.id), 3, 'altered');
  });

  it('names a deleted event', async () => {
    const ws = await workspaceWithHistory(t);
    await admin.query('delete from wardroom.audit_log where tenant_id = $1 and seq = 4', [ws.id]);
    expectBad(await verify(ws.id), 4, 'missing');
  });

  it('names an inserted event (triggers disabled, as an attacker would)', async () => {
    const ws = await workspaceWithHistory(t);
    await admin.query('begin');
    // A superuser's way past the stamp (enabled ALWAYS, so replica mode no
    // longer skips it): disable it for the transaction.
    await admin.query('alter table wardroom.audit_log disable trigger audit_stamp');
    await admin.query(
      `insert into wardroom.audit_log (tenant_id, seq, occurred_at, actor_type, action, prev_hash, hash)
       select tenant_id, 5, occurred_at + interval '1 microsecond', 'user', 'workroom.deleted', prev_hash, hash
         from wardroom.audit_log where tenant_id = $1 and seq = 5`,
      [ws.id],
    );
    await admin.query('alter table wardroom.audit_log enable always trigger audit_stamp');
    await admin.query('commit');
    expect(await verify(ws.id)).toMatchObject({ ok: false, firstBadSeq: 5 });
  });

  it('names reordered events', async () => {
    const ws = await workspaceWithHistory(t);
    await admin.query(
      `update wardroom.audit_log set seq = case seq when 3 then 4 else 3 end where tenant_id = $1 and seq in (3, 4)`,
      [ws.id],
    );
    expect(await verify(ws.id)).toMatchObject({ ok: false, firstBadSeq: 3 });
  });

  it('catches deletion of the newest events only through the external checkpoint', async () => {
    const ws = await workspaceWithHistory(t);
    const checkpoint = await createCheckpoint(t.db, signer, dir, ws.id);
    expect(checkpoint?.seq).toBe(await headSeq(ws.id));
    const last = checkpoint?.seq ?? 0;
    await admin.query('delete from wardroom.audit_log where tenant_id = $1 and seq > $2', [
      ws.id,
      last - 2,
    ]);
    await admin.query(
      `update wardroom.audit_heads h set seq = a.seq, hash = a.hash from wardroom.audit_log a
        where h.tenant_id = $1 and a.tenant_id = $1 and a.seq = $2`,
      [ws.id, last - 2],
    );
    const result = await verify(ws.id);
    expectBad(result, last - 1, 'deleted');
  });

  it('catches a rewritten tail with recomputed hashes through the checkpoint', async () => {
    const ws = await workspaceWithHistory(t);
    const checkpoint = await createCheckpoint(t.db, signer, dir, ws.id);
    const last = checkpoint?.seq ?? 0;
    // Rewrite event 2 and rehash it and every later event with the database's own function.
    await admin.query(
      `update wardroom.audit_log set actor_name = 'someone else' where tenant_id = $1 and seq = 2`,
      [ws.id],
    );
    for (let seq = 2; seq <= last; seq++) {
      await admin.query(
        `update wardroom.audit_log a set
           prev_hash = (select p.hash from wardroom.audit_log p where p.tenant_id = a.tenant_id and p.seq = a.seq - 1),
           hash = sha256(convert_to(wardroom.audit_canonical(a.tenant_id, a.seq, a.occurred_at, a.actor_type, a.actor_id,
             a.actor_name, a.action, a.targets, a.context, a.correlation_id, a.metadata,
             (select p.hash from wardroom.audit_log p where p.tenant_id = a.tenant_id and p.seq = a.seq - 1)), 'UTF8'))
         where a.tenant_id = $1 and a.seq = $2`,
        [ws.id, seq],
      );
    }
    const result = await verify(ws.id);
    expectBad(result, last, 'checkpoint');
  });

  it('refuses a checkpoint not signed by the configured key', async () => {
    const ws = await workspaceWithHistory(t, 1);
    await createCheckpoint(t.db, signerFromSeed(randomBytes(32)), dir, ws.id);
    expectBad(await verify(ws.id), undefined, 'signature');
  });
});

/**
 * The server verifies chains on a schedule: each run writes its result into
 * the workspace's log (`audit.verified` / `audit.verification_failed`), logs a
 * failure, verifies a bounded number of workspaces (longest unverified
 * first), and `wardroom status` shows the newest result, exiting 1 on a
 * failure.
 */
import { rm } from 'node:fs/promises';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../../src/modules/audit/checkpoints.js';
import { createScheduledVerifier } from '../../src/modules/audit/scheduled-verify.js';
import { adminClient, checkpointDir, signer, workspaceWithHistory } from '../support/audit.js';
import { cliHarness } from '../support/cli.js';

const h = cliHarness('wardroom-scheduled-verify-');
let admin: pg.Client;
let dir: string;
beforeAll(async () => {
  admin = await adminClient();
  dir = await checkpointDir();
});
afterAll(async () => {
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

function verifier(ids: string[], perRun = 10) {
  const errors: { obj: unknown; msg: string | undefined }[] = [];
  const logger = {
    info: () => undefined,
    error: (obj: unknown, msg?: string) => errors.push({ obj, msg }),
  };
  const v = createScheduledVerifier({
    db: h.app().db,
    publicKey: signer.publicKey,
    checkpointDir: dir,
    perRun,
    logger,
    listWorkspaces: () => Promise.resolve(ids),
  });
  return { v, errors };
}

async function verificationEvents(tenantId: string) {
  const { rows } = await admin.query<{
    action: string;
    actor_type: string;
    actor_id: string;
    metadata: Record<string, unknown>;
  }>(
    `select action, actor_type, actor_id, metadata from wardroom.audit_log
      where tenant_id = $1 and action like 'audit.verif%' order by occurred_at`,
    [tenantId],
  );
  return rows;
}

describe('scheduled audit verification', () => {
  it('writes audit.verified, then a failure naming the first bad seq after tampering', async () => {
    const ws = await workspaceWithHistory(h.app(), 2);
    const checkpoint = await createCheckpoint(h.app().db, signer, dir, ws.id);
    const { v, errors } = verifier([ws.id]);

    const [first] = await v.run();
    expect(first).toMatchObject({ ok: true, tenantId: ws.id });
    expect(await verificationEvents(ws.id)).toEqual([
      {
        action: 'audit.verified',
        actor_type: 'system',
        actor_id: 'audit-verifier',
        metadata: {
          ok: true,
          events: first!.events,
          head_seq: checkpoint!.seq,
          first_bad_seq: null,
          checkpoints: 1,
          problem: null,
        },
      },
    ]);
    expect(errors).toEqual([]);
    const ok = await h.run('status', '--workspace', ws.id);
    expect(ok.out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ok ${ws.id}: verified .*, \\d+ events, head seq ${checkpoint!.seq}; 1 signed checkpoint used$`,
        ),
      ),
    ]);

    await admin.query(
      `update wardroom.audit_log set metadata = '{"note":"edited"}' where tenant_id = $1 and seq = 3`,
      [ws.id],
    );
    const [second] = await v.run();
    expect(second).toMatchObject({ ok: false, firstBadSeq: 3 });
    const events = await verificationEvents(ws.id);
    expect(events).toHaveLength(2);
    expect(events[1]).toMatchObject({
      action: 'audit.verification_failed',
      actor_id: 'audit-verifier',
      metadata: { ok: false, first_bad_seq: 3 },
    });
    expect(errors).toEqual([
      expect.objectContaining({
        msg: 'audit verification FAILED',
        obj: expect.objectContaining({ tenant_id: ws.id, first_bad_seq: 3 }) as unknown,
      }),
    ]);

    const failed = await h.attempt('status', '--workspace', ws.id);
    expect(failed.error).toMatchObject({ code: 'validation_failed' });
    expect(failed.out).toEqual([
      expect.stringMatching(
        new RegExp(`^FAILED ${ws.id}: verified .*, first bad seq 3: .*altered`),
      ),
    ]);
    const json = await h.attempt('status', '--workspace', ws.id, '--json');
    expect(json.error).toMatchObject({ code: 'validation_failed' });
    expect(JSON.parse(json.out[0]!)).toMatchObject({
      workspace_id: ws.id,
      verification: { ok: false, first_bad_seq: 3, checkpoints: expect.any(Number) as number },
    });
  });

  it('verifies at most the bound per run, longest unverified first', async () => {
    const a = await workspaceWithHistory(h.app(), 1);
    const b = await workspaceWithHistory(h.app(), 1);
    const { v } = verifier([a.id, b.id], 1);
    const first = (await v.run()).map((r) => r.tenantId);
    const second = (await v.run()).map((r) => r.tenantId);
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect([...first, ...second].sort()).toEqual([a.id, b.id].sort());
    // The third run goes back to the one verified longest ago.
    expect((await v.run()).map((r) => r.tenantId)).toEqual(first);
    // A new verifier (a restarted server) reads when each was last verified.
    const { v: restarted } = verifier([a.id, b.id], 1);
    expect((await restarted.run()).map((r) => r.tenantId)).toEqual(second);
  });

  it('says "never" for a workspace not verified yet, and exits 0', async () => {
    const ws = await workspaceWithHistory(h.app(), 1);
    const { out } = await h.run('status', '--workspace', ws.id);
    expect(out).toEqual([`never ${ws.id}: not verified by the server yet`]);
  });
});

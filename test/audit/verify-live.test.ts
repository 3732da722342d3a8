/**
 * Live `wardroom audit verify` uses the checkpoints stored in the database as
 * well as the external folder, reports where the two disagree, says how many
 * signed checkpoints it used, and refuses a workspace that does not exist.
 */
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../../src/modules/audit/checkpoints.js';
import { verifyWorkspace } from '../../src/modules/audit/verify-workspace.js';
import { adminClient, checkpointDir, signer, workspaceWithHistory } from '../support/audit.js';
import { bearer } from '../support/app.js';
import { cliHarness } from '../support/cli.js';

const h = cliHarness('wardroom-verify-live-');
let admin: pg.Client;
let dirs: string[] = [];
beforeAll(async () => {
  admin = await adminClient();
});
afterAll(async () => {
  await admin.end();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function newDir(): Promise<string> {
  const dir = await checkpointDir();
  dirs = [...dirs, dir];
  return dir;
}

const cliCheckpoints = (id: string) => path.join(h.dataDir(), 'audit-checkpoints', `${id}.jsonl`);

describe('live audit verify', () => {
  it('exits 1 with not_found for a workspace that does not exist, never "ok … 0 events"', async () => {
    const run = await h.attempt('audit', 'verify', '--workspace', randomUUID());
    expect(run.error).toMatchObject({ code: 'not_found' });
    expect(run.out).toEqual([]);
  });

  it('catches deleted newest events through the database checkpoint when the folder has none', async () => {
    const ws = await workspaceWithHistory(h.app());
    const written = await createCheckpoint(h.app().db, signer, await newDir(), ws.id);
    const last = written!.seq;
    await admin.query('delete from wardroom.audit_log where tenant_id = $1 and seq > $2', [
      ws.id,
      last - 2,
    ]);
    await admin.query(
      `update wardroom.audit_heads h set seq = a.seq, hash = a.hash from wardroom.audit_log a
        where h.tenant_id = $1 and a.tenant_id = $1 and a.seq = $2`,
      [ws.id, last - 2],
    );
    // Another, empty, folder: only the database's checkpoint knows the chain reached `last`.
    const result = await verifyWorkspace(h.app().db, ws.id, {
      checkpointDir: await newDir(),
      publicKey: signer.publicKey,
    });
    expect(result).toMatchObject({ ok: false, firstBadSeq: last - 1 });
    expect(result.problem).toContain('deleted');
    expect(result.disagreements).toEqual([
      { seq: last, problem: `seq ${last} is in the database only` },
    ]);
  });

  it('reports the number of signed checkpoints it used, and each disagreement with the folder', async () => {
    const ws = await workspaceWithHistory(h.app(), 1);
    await h.run('audit', 'checkpoint', '--workspace', ws.id);
    const { out } = await h.run('audit', 'verify', '--workspace', ws.id);
    expect(out).toEqual([expect.stringMatching(/^ok .*; 1 signed checkpoint used$/)]);

    // A checkpoint removed from the database (as a superuser could) is still in the folder.
    const { rows } = await admin.query<{ seq: string }>(
      'delete from wardroom.audit_checkpoints where tenant_id = $1 returning seq',
      [ws.id],
    );
    const seq = Number(rows[0]!.seq);
    const gone = await h.attempt('audit', 'verify', '--workspace', ws.id);
    expect(gone.error).toMatchObject({ code: 'validation_failed' });
    expect(gone.err).toEqual([
      expect.stringMatching(
        new RegExp(
          `^FAILED ${ws.id}: first bad seq ${seq}: the database and the checkpoint folder disagree .*; 1 signed checkpoint used$`,
        ),
      ),
      `  checkpoint disagreement: seq ${seq} is in the checkpoint folder only`,
    ]);

    // And the other way round: a newer checkpoint's line removed from the folder.
    const room = await h.app().app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/workrooms`,
      payload: { name: 'later' },
      headers: bearer(ws.ownerToken),
    });
    expect(room.statusCode).toBe(201);
    await h.run('audit', 'checkpoint', '--workspace', ws.id);
    const lines = (await readFile(cliCheckpoints(ws.id), 'utf8')).trim().split('\n');
    const newest = JSON.parse(lines.at(-1)!) as { seq: number };
    expect(newest.seq).toBeGreaterThan(seq);
    await writeFile(cliCheckpoints(ws.id), `${lines.slice(0, -1).join('\n')}\n`);
    const missing = await h.attempt('audit', 'verify', '--workspace', ws.id);
    expect(missing.error).toMatchObject({ code: 'validation_failed' });
    expect(missing.err.slice(1)).toEqual([
      `  checkpoint disagreement: seq ${seq} is in the checkpoint folder only`,
      `  checkpoint disagreement: seq ${newest.seq} is in the database only`,
    ]);
  });
});

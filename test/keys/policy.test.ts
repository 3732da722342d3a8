/**
 * Minimum decryption version, master key rotation, sealed job payloads and
 * the sweep as a pg-boss job (as the jobs role, tenant work as the app
 * role).
 */
import { operatorPrincipal } from '../../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installJobQueue, startJobQueue, type RunningJobQueue } from '../../src/db/jobs.js';
import { roleNames } from '../../src/db/roles.js';
import { readEnvelopeHeader } from '../../src/modules/crypto/envelope.js';
import { openJobPayload, sealJobPayload } from '../../src/modules/keys/job-payload.js';
import { localKeks } from '../../src/modules/crypto/kek/local.js';
import { createKeyring } from '../../src/modules/keys/keyring.js';
import {
  enqueueRotation,
  ensureRotationQueue,
  startRotationWorker,
} from '../../src/modules/keys/rotation/jobs.js';
import { setMinVersion } from '../../src/modules/keys/rotation/min-version.js';
import { watchRotations } from '../../src/modules/keys/rotation/progress.js';
import { rotateMaster } from '../../src/modules/keys/rotation/rewrap-master.js';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { keyStatus } from '../../src/modules/keys/rotation/status.js';
import { runSweep } from '../../src/modules/keys/rotation/sweep.js';
import {
  auditCounts,
  connectSuperuser,
  masterKeys,
  newFilledWorkspace,
  principal,
  startProcess,
  versionCounts,
  type Process,
  messageRef,
} from '../support/keys.js';
import { testRoots } from '../support/root-keys.js';

let a: Process;
let b: Process;
let admin: pg.Client;
let boss: RunningJobQueue;
const jobsSchema = `wardroom_jobs_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  a = await startProcess();
  b = await startProcess();
  admin = await connectSuperuser();
  // A queue schema of its own: other files' workers hold other master keys.
  // Installed as `migrate` does, and worked as the server does: as the jobs role.
  await installJobQueue(inject('adminUrl'), roleNames(inject('rolePrefix')).jobs, {
    schema: jobsSchema,
    declareQueues: ensureRotationQueue,
  });
  boss = await startJobQueue(inject('jobsUrl'), { schema: jobsSchema });
});
afterAll(async () => {
  await boss.stop({ graceful: false });
  await admin.end();
  await a.close();
  await b.close();
});

const ref = (id: string) => ({ table: 'messages', column: 'content', rowId: id });

async function firstEnvelope(tenantId: string): Promise<{ id: string; content: Buffer }> {
  const { rows } = await admin.query<{ id: string; content: Buffer }>(
    'select id::text, content from wardroom.messages where tenant_id = $1 order by id limit 1',
    [tenantId],
  );
  return rows[0]!;
}

describe('minimum decryption version', () => {
  it('is refused while rows use a lower version, then makes every process refuse those', async () => {
    const ws = await newFilledWorkspace(a, 20);
    const old = await firstEnvelope(ws.tenantId);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    await expect(
      a.db.withTenant(principal(ws.tenantId), (tx) => setMinVersion(tx, 2)),
    ).rejects.toMatchObject({ code: 'conflict', message: /20 sealed row\(s\) still use/ });
    await expect(
      a.db.withTenant(principal(ws.tenantId), (tx) => setMinVersion(tx, 3)),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    await runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, {
      batchSize: 7,
    });
    // Process b has version 1 cached and a policy cached for an hour.
    await b.db.withTenant(principal(ws.tenantId), async (tx) =>
      b.keyring.open(tx, await messageRef(tx, old.id), old.content),
    );
    // Both processes, the one that set it included, learn the policy from
    // the committed notification; wait until each has heard it.
    const heard = [a.nextEvent(ws.tenantId), b.nextEvent(ws.tenantId)];
    await a.db.withTenant(principal(ws.tenantId), (tx) => setMinVersion(tx, 2));
    for (const event of await Promise.all(heard)) expect(event).toMatchObject({ event: 'policy' });
    for (const p of [a, b]) {
      await p.db.withTenant(principal(ws.tenantId), async (tx) => {
        await expect(
          p.keyring.open(tx, await messageRef(tx, old.id), old.content),
        ).rejects.toMatchObject({
          code: 'decryption_failed',
          message:
            "Sealed value uses data key version 1, below this workspace's minimum decryption version 2",
        });
        // The current rows still open.
        const now = await firstEnvelope(ws.tenantId);
        expect(readEnvelopeHeader(now.content).keyVersion).toBe(2);
        expect(
          (await p.keyring.open(tx, await messageRef(tx, now.id), now.content)).toString(),
        ).toBe(ws.messages.get(now.id));
      });
    }
    const status = await a.db.withTenant(principal(ws.tenantId), (tx) =>
      keyStatus(tx, ws.tenantId),
    );
    expect(status).toMatchObject({
      min_version: 2,
      versions: [
        { version: 1, primary: false },
        { version: 2, primary: true },
      ],
      sweep: { status: 'done', rows_done: 20, rows_total: 20, to_version: 2 },
      shredded: false,
    });
    expect(status.fields.find((f) => f.field === 'messages.content')).toEqual({
      field: 'messages.content',
      rows_by_version: { 2: 20 },
      rows_on_old_versions: 0,
    });
    const changes = await auditCounts(admin, ws.tenantId, 'workspace.updated');
    expect(changes.get(ws.tenantId)).toBe(1);
  });
});

describe('master key rotation', () => {
  it("rewraps every workspace's key versions under the new master key version, touching no row", async () => {
    const ws = await newFilledWorkspace(a, 5);
    const second = await newFilledWorkspace(a, 1);
    await startRotation(a.db, a.keyring, principal(ws.tenantId));
    const before = await admin.query<{ content: Buffer }>(
      'select content from wardroom.messages where tenant_id = $1 order by id',
      [ws.tenantId],
    );
    const v2 = randomBytes(32);
    const both = localKeks({
      id: 'test:rotation',
      current: 2,
      keys: new Map([...masterKeys, [2, v2]]),
    });
    const progress: number[] = [];
    // Other test files' workspaces share this database: rewrap only this file's.
    const workspaces = [ws.tenantId, second.tenantId];
    const mark = await admin.query<{ at: string }>('select clock_timestamp()::text as at');
    const result = await rotateMaster(a.db, both, {
      every: 1,
      workspaces,
      onProgress: (p) => progress.push(p.done),
      actor: (id) => operatorPrincipal(id, { id: 'cli:test', name: 'wardroom keys rotate-master' }),
    });
    expect(result).toEqual({ done: 2, total: 2, rewrapped: 3, failed: [] });
    // The rewrap is recorded under the operator who ran it.
    const rewraps = await admin.query<{ actor_type: string; actor_id: string }>(
      `select actor_type, actor_id from wardroom.audit_log
        where tenant_id = $1 and action = 'workspace_key.updated' and occurred_at > $2`,
      [ws.tenantId, mark.rows[0]!.at],
    );
    // One UPDATE, so one event, per rewrapped key version (this workspace has two).
    expect(rewraps.rows).toEqual([
      { actor_type: 'ops', actor_id: 'cli:test' },
      { actor_type: 'ops', actor_id: 'cli:test' },
    ]);
    expect(progress).toEqual([1, 2]);
    const { rows } = await admin.query<{ kek_version: number }>(
      'select kek_version from wardroom.workspace_keys where tenant_id = $1',
      [ws.tenantId],
    );
    expect(rows.map((r) => r.kek_version)).toEqual([2, 2]);
    const after = await admin.query<{ content: Buffer }>(
      'select content from wardroom.messages where tenant_id = $1 order by id',
      [ws.tenantId],
    );
    expect(after.rows).toEqual(before.rows);
    // A process holding only the new master key reads everything.
    const onlyV2 = await startProcess({
      kek: localKeks({ id: 'test:rotation', current: 2, keys: new Map([[2, v2]]) }),
    });
    try {
      await onlyV2.db.withTenant(principal(ws.tenantId), async (tx) => {
        for (const [id, content] of ws.messages) {
          const env = await admin.query<{ content: Buffer }>(
            'select content from wardroom.messages where tenant_id = $1 and id = $2',
            [ws.tenantId, id],
          );
          const opened = await onlyV2.keyring.open(
            tx,
            await messageRef(tx, id),
            env.rows[0]!.content,
          );
          expect(opened.toString()).toBe(content);
        }
      });
    } finally {
      await onlyV2.close();
    }
    // Running it again has nothing left to do.
    expect((await rotateMaster(a.db, both, { workspaces })).rewrapped).toBe(0);
    // A workspace whose key this provider cannot unwrap is reported, and the others still done.
    const stranger = localKeks({ id: 'test:rotation', current: 3, keys: new Map([[3, v2]]) });
    const partial = await rotateMaster(a.db, stranger, { workspaces });
    expect(partial.failed).toEqual(
      workspaces.map((tenantId) => ({ tenantId, code: 'key_unavailable' })),
    );
  });
});

describe('job payloads', () => {
  it('are sealed with the workspace key and open only in that workspace', async () => {
    const ws = await newFilledWorkspace(a, 0);
    const other = await newFilledWorkspace(a, 0);
    const payload = { email: 'someone@example.test', note: 'tenant data' };
    const sealed = await a.db.withTenant(principal(ws.tenantId), (tx) =>
      sealJobPayload(tx, a.keyring, payload),
    );
    expect(JSON.stringify(sealed)).not.toContain('someone@example.test');
    const opened = await b.db.withTenant(principal(ws.tenantId), (tx) =>
      openJobPayload(tx, b.keyring, sealed),
    );
    expect(opened).toEqual(payload);
    await expect(
      a.db.withTenant(principal(other.tenantId), (tx) => openJobPayload(tx, a.keyring, sealed)),
    ).rejects.toMatchObject({ code: 'decryption_failed' });
    await expect(
      a.db.withTenant(principal(other.tenantId), (tx) =>
        openJobPayload(tx, a.keyring, { ...sealed, tenant_id: other.tenantId }),
      ),
    ).rejects.toMatchObject({ code: 'decryption_failed' });
    await expect(
      a.db.withTenant(principal(ws.tenantId), (tx) =>
        openJobPayload(tx, a.keyring, { ...sealed, payload_id: randomUUID() }),
      ),
    ).rejects.toMatchObject({ code: 'decryption_failed' });
  });
});

describe('the sweep as a pg-boss job', () => {
  it('is run by a worker in another process, whose progress can be watched, with ids-only job data', async () => {
    const ws = await newFilledWorkspace(a, 700);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    await enqueueRotation(boss, a, started, principal(ws.tenantId));
    const { rows: jobs } = await admin.query<{ data: Record<string, unknown> }>(
      `select data from ${jobsSchema}.job where data ->> 'rotation_id' = $1`,
      [started.rotationId],
    );
    expect(Object.keys(jobs[0]!.data).sort()).toEqual(['requested_by', 'rotation_id', 'tenant_id']);
    // b is the "server" with the worker; a only watches.
    const seen: number[] = [];
    const worker = await startRotationWorker(boss, b, { batchSize: 100 });
    try {
      const final = await watchRotations(a.db, [started], {
        intervalMs: 100,
        onTick: (t) => seen.push(t.rowsDone),
      });
      expect(final).toMatchObject({ finished: 1, rowsDone: 700, rowsTotal: 700, failed: [] });
      console.log(`pg-boss sweep: ${final.rowsPerSecond} rows/s`);
    } finally {
      await worker.stop();
    }
    expect(seen.at(-1)).toBe(700);
    expect(await versionCounts(admin, ws.tenantId)).toEqual({ 2: 700 });
  });

  it('a worker stopped mid-sweep queues its continuation, and another worker finishes exactly', async () => {
    const ws = await newFilledWorkspace(a, 600);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    await enqueueRotation(boss, a, started, principal(ws.tenantId));
    let stopping: Promise<void> | undefined;
    const first: { stop(): Promise<void> }[] = [];
    first.push(
      await startRotationWorker(boss, a, {
        batchSize: 100,
        onProgress: () => {
          // Shutdown begins during the first batch: the sweep stops after those under way.
          stopping ??= first[0]!.stop();
        },
      }),
    );
    await expect.poll(() => stopping !== undefined, { timeout: 10_000 }).toBe(true);
    await stopping;
    const { rows } = await admin.query<{ rows_done: string; status: string }>(
      'select rows_done, status from wardroom.key_rotations where id = $1',
      [started.rotationId],
    );
    // It stops after the batches already under way (up to one per writer, plus the first).
    expect(rows[0]?.status).toBe('running');
    const doneBeforeStop = Number(rows[0]?.rows_done);
    expect([100, 200, 300]).toContain(doneBeforeStop);
    expect((await versionCounts(admin, ws.tenantId))[2]).toBe(doneBeforeStop);
    const second = await startRotationWorker(boss, b, { batchSize: 100 });
    try {
      const final = await watchRotations(a.db, [started], {
        intervalMs: 100,
        onTick: () => undefined,
      });
      expect(final).toMatchObject({ rowsDone: 600, rowsTotal: 600, failed: [] });
    } finally {
      await second.stop();
    }
    const updates = await auditCounts(admin, ws.tenantId, 'message.updated');
    expect(updates.size).toBe(600);
    expect(Math.max(...updates.values())).toBe(1);
  });

  it('a keyring with no key for a workspace cannot seal for it (fresh process)', async () => {
    const ws = await newFilledWorkspace(a, 0);
    const keyring = createKeyring(
      localKeks({ id: 'other', current: 1, keys: new Map([[1, randomBytes(32)]]) }),
      { roots: testRoots },
    );
    await expect(
      a.db.withTenant(principal(ws.tenantId), (tx) => keyring.seal(tx, ref('x'), Buffer.from('x'))),
    ).rejects.toMatchObject({ code: 'key_unavailable' });
  });
});

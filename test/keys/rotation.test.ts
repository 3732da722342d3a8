/**
 * Data key rotation: the new version is primary in every process at once
 * (key events, not the cache's expiry), the sweep re-seals every row once,
 * survives a crash mid-batch without losing or repeating a row, runs while
 * reads and writes go on, and a re-sealed ciphertext stays bound to its row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { listMessages, postMessage } from '../../src/modules/workrooms/messages.js';
import { startRotation } from '../../src/modules/keys/rotation/rotate-dek.js';
import { runSweep, type SweepProgress } from '../../src/modules/keys/rotation/sweep.js';
import { nextBelow, writeSealed } from '../../src/modules/keys/rotation/sealed-sql.js';
import { SEALED_FIELDS } from '../../src/modules/keys/sealed-fields.js';
import { readEnvelopeHeader } from '../../src/modules/crypto/envelope.js';
import {
  addMessages,
  auditCounts,
  connectSuperuser,
  newFilledWorkspace,
  principal,
  startProcess,
  versionCounts,
  type Filled,
  type Process,
  filledRef,
} from '../support/keys.js';

let a: Process;
let b: Process;
let admin: pg.Client;

beforeAll(async () => {
  a = await startProcess();
  b = await startProcess();
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await a.close();
  await b.close();
});

const ref = (id: string) => ({ table: 'messages', column: 'content', rowId: id });

async function readAll(p: Process, ws: Filled): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await p.db.withTenant(principal(ws.tenantId), (tx) =>
      listMessages(tx, p.keyring, { conversationId: ws.conversationId, limit: 200, cursor }),
    );
    for (const m of page.items) out.set(m.id, m.content);
    if (page.next_cursor === null) return out;
    cursor = page.next_cursor;
  }
}

async function sealedVersion(p: Process, ws: Filled): Promise<number> {
  const sealed = await p.db.withTenant(principal(ws.tenantId), (tx) =>
    p.keyring.seal(tx, ref('probe'), Buffer.from('x')),
  );
  return readEnvelopeHeader(sealed).keyVersion;
}

describe('rotating a workspace data key', () => {
  it('makes the new version primary in another process at once, without waiting for its cache', async () => {
    const ws = await newFilledWorkspace(a, 3);
    // Both processes have cached version 1 as the primary (for an hour).
    expect(await sealedVersion(a, ws)).toBe(1);
    expect(await sealedVersion(b, ws)).toBe(1);
    const heard = b.nextEvent(ws.tenantId);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    expect(started).toMatchObject({ toVersion: 2, fromVersions: [1], rowsTotal: 3 });
    expect(await sealedVersion(a, ws)).toBe(2);
    expect(await heard).toEqual({ tenant_id: ws.tenantId, event: 'rotated' });
    expect(await sealedVersion(b, ws)).toBe(2);
    // A process that does not listen keeps its cached primary until expiry (why events exist).
    const deaf = await startProcess({ listen: false });
    try {
      const before = await newFilledWorkspace(deaf, 1);
      expect(await sealedVersion(deaf, before)).toBe(1);
      await startRotation(a.db, a.keyring, principal(before.tenantId));
      expect(await sealedVersion(deaf, before)).toBe(1);
    } finally {
      await deaf.close();
    }
    // Old rows still open everywhere.
    expect(await readAll(b, ws)).toEqual(ws.messages);
  });

  it('re-seals every row exactly once, in batches, and reads return the same plaintext', async () => {
    const ws = await newFilledWorkspace(a, 1234);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    const t0 = performance.now();
    const done = await runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, {
      batchSize: 500,
    });
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `sweep: 1234 rows in ${seconds.toFixed(2)} s = ${Math.round(1234 / seconds)} rows/s`,
    );
    expect(done).toMatchObject({ status: 'done', rowsDone: 1234, rowsTotal: 1234, toVersion: 2 });
    expect(await versionCounts(admin, ws.tenantId)).toEqual({ 2: 1234 });
    const updates = await auditCounts(admin, ws.tenantId, 'message.updated');
    expect(updates.size).toBe(1234);
    expect([...updates.values()].every((n) => n === 1)).toBe(true);
    expect(await readAll(b, ws)).toEqual(ws.messages);
  });

  it('resumes after a crash mid-batch without losing or re-sealing a row', async () => {
    const ws = await newFilledWorkspace(a, 1100);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    let batches = 0;
    const crash = (p: SweepProgress) => {
      batches += 1;
      // The second batch to reach its commit has re-sealed its rows but dies before committing.
      if (batches === 2) throw new Error(`killed after ${p.rowsDone}`);
    };
    await expect(
      runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, {
        batchSize: 300,
        onBatch: crash,
      }),
    ).rejects.toThrow(/killed after/);
    const { rows } = await admin.query<{ status: string; rows_done: string; error: string }>(
      'select status, rows_done, error from wardroom.key_rotations where id = $1',
      [started.rotationId],
    );
    // Batches commit concurrently: the ones that committed are counted, the killed one is not.
    const counts = await versionCounts(admin, ws.tenantId);
    expect(rows[0]).toMatchObject({ status: 'failed', error: 'internal' });
    expect(Number(rows[0]?.rows_done)).toBe(counts[2]);
    expect(counts[1]).toBeGreaterThanOrEqual(200); // at least the killed batch is left
    expect((counts[1] ?? 0) + (counts[2] ?? 0)).toBe(1100);
    // Reads keep working halfway.
    expect(await readAll(b, ws)).toEqual(ws.messages);
    // A restarted worker (another process) picks it up from the checkpoint.
    const resumed = await runSweep(b.db, b.keyring, principal(ws.tenantId), started.rotationId, {
      batchSize: 300,
    });
    expect(resumed).toMatchObject({ status: 'done', rowsDone: 1100, rowsTotal: 1100 });
    expect(await versionCounts(admin, ws.tenantId)).toEqual({ 2: 1100 });
    const updates = await auditCounts(admin, ws.tenantId, 'message.updated');
    expect(updates.size).toBe(1100);
    expect(Math.max(...updates.values())).toBe(1);
    expect(await readAll(a, ws)).toEqual(ws.messages);
  });

  it('stops resumably after a batch, and two workers on one rotation never double-process', async () => {
    const ws = await newFilledWorkspace(a, 900);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    const first = await runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, {
      batchSize: 200,
      maxBatches: 1,
    });
    expect(first).toMatchObject({ status: 'running', rowsDone: 200 });
    const both = await Promise.all(
      [a, b].map((p) =>
        runSweep(p.db, p.keyring, principal(ws.tenantId), started.rotationId, { batchSize: 100 }),
      ),
    );
    for (const r of both) expect(r.status).toBe('done');
    expect(Math.max(...both.map((r) => r.rowsDone))).toBe(900);
    const updates = await auditCounts(admin, ws.tenantId, 'message.updated');
    expect(updates.size).toBe(900);
    expect(Math.max(...updates.values())).toBe(1);
  });

  it('runs while reads and writes continue, and ends with every row (old and new) on the new version', async () => {
    const ws = await newFilledWorkspace(a, 1500);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    let sweeping = true;
    const sweep = runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, {
      batchSize: 100,
    }).finally(() => {
      sweeping = false;
    });
    let reads = 0;
    let writes = 0;
    const traffic = async (p: Process) => {
      while (sweeping || writes < 20) {
        await addMessages(p, ws, 5);
        writes += 5;
        const seen = await readAll(p, ws);
        for (const [id, content] of seen) expect(ws.messages.get(id), id).toBe(content);
        reads += 1;
      }
    };
    await Promise.all([sweep, traffic(a), traffic(b)]);
    expect(reads).toBeGreaterThan(1);
    expect((await sweep).status).toBe('done');
    const counts = await versionCounts(admin, ws.tenantId);
    expect(counts).toEqual({ 2: ws.messages.size });
    expect(await readAll(a, ws)).toEqual(ws.messages);
  });

  it('a rotation started while another sweep is unfinished supersedes it and covers its rows', async () => {
    const ws = await newFilledWorkspace(a, 50);
    const r2 = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    await runSweep(a.db, a.keyring, principal(ws.tenantId), r2.rotationId, {
      batchSize: 10,
      maxBatches: 2,
    });
    await addMessages(a, ws, 5);
    const r3 = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    expect(r3).toMatchObject({ toVersion: 3, fromVersions: [1, 2], rowsTotal: 55 });
    const old = await runSweep(a.db, a.keyring, principal(ws.tenantId), r2.rotationId, {
      batchSize: 10,
    });
    expect(old.status).toBe('superseded');
    await runSweep(a.db, a.keyring, principal(ws.tenantId), r3.rotationId, { batchSize: 10 });
    expect(await versionCounts(admin, ws.tenantId)).toEqual({ 3: 55 });
  });

  it('binds a ciphertext re-sealed under version 2 to its row: moved to another row or workspace it fails', async () => {
    const ws = await newFilledWorkspace(a, 2);
    const other = await newFilledWorkspace(a, 1);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    await runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, { batchSize: 10 });
    const [first, second] = [...ws.messages.keys()];
    const { rows } = await admin.query<{ content: Buffer }>(
      'select content from wardroom.messages where tenant_id = $1 and id = $2',
      [ws.tenantId, first],
    );
    const envelope = rows[0]!.content;
    expect(readEnvelopeHeader(envelope).keyVersion).toBe(2);
    await a.db.withTenant(principal(ws.tenantId), async (tx) => {
      expect((await a.keyring.open(tx, filledRef(ws, first!), envelope)).toString()).toBe(
        ws.messages.get(first!),
      );
      await expect(a.keyring.open(tx, filledRef(ws, second!), envelope)).rejects.toMatchObject({
        code: 'decryption_failed',
      });
      await expect(
        a.keyring.open(tx, { ...filledRef(ws, first!), column: 'title' }, envelope),
      ).rejects.toMatchObject({ code: 'decryption_failed' });
    });
    // Written over the second row by someone with database access: that row no longer reads.
    await admin.query(
      'update wardroom.messages set content = $1 where tenant_id = $2 and id = $3',
      [envelope, ws.tenantId, second],
    );
    await expect(readAll(b, ws)).rejects.toMatchObject({ code: 'decryption_failed' });
    await a.db.withTenant(principal(other.tenantId), async (tx) => {
      await expect(a.keyring.open(tx, ref(first!), envelope)).rejects.toMatchObject({
        code: 'key_unavailable',
      });
    });
    // A write made now is sealed under version 2 too.
    const posted = await a.db.withTenant(principal(ws.tenantId), (tx) =>
      postMessage(tx, a.keyring, {
        conversationId: ws.conversationId,
        authorId: ws.ownerId,
        content: 'after',
      }),
    );
    const fresh = await admin.query<{ content: Buffer }>(
      'select content from wardroom.messages where tenant_id = $1 and id = $2',
      [ws.tenantId, posted.id],
    );
    expect(readEnvelopeHeader(fresh.rows[0]!.content).keyVersion).toBe(2);
  });

  it('never undoes a write made between reading a batch and writing it back', async () => {
    const ws = await newFilledWorkspace(a, 4);
    await startRotation(a.db, a.keyring, principal(ws.tenantId));
    const field = SEALED_FIELDS.find((f) => f.table === 'messages')!;
    const [raced, ...rest] = [...ws.messages.keys()].sort();
    const written = await a.db.withTenant(principal(ws.tenantId), async (tx) => {
      const { rows } = await nextBelow(tx, field, 2, null, 10, 1 << 20);
      expect(rows.map((r) => r.id).sort()).toEqual([raced, ...rest]);
      // Another process rewrites one row after the read, while this batch is in hand.
      await b.db.withTenant(principal(ws.tenantId), async (other) => {
        const fresh = await b.keyring.seal(
          other,
          filledRef(ws, raced!),
          Buffer.from('written meanwhile'),
        );
        await other
          .updateTable('messages')
          .set({ content: fresh })
          .where('id', '=', raced!)
          .execute();
      });
      const sealed = await a.keyring.reseal(
        tx,
        rows.map((r) => ({ ref: filledRef(ws, r.id), envelope: r.sealed })),
        2,
      );
      const resealed = rows.map((r, i) => ({ id: r.id, was: r.sealed, sealed: sealed[i]! }));
      return writeSealed(tx, field, resealed);
    });
    expect(written).toBe(rest.length);
    const after = await readAll(a, ws);
    expect(after.get(raced!)).toBe('written meanwhile');
    for (const id of rest) expect(after.get(id)).toBe(ws.messages.get(id));
  });

  it('bounds a batch by envelope bytes as well as rows, and still re-seals every row once', async () => {
    const ws = await newFilledWorkspace(a, 5);
    const started = await startRotation(a.db, a.keyring, principal(ws.tenantId));
    const done = await runSweep(a.db, a.keyring, principal(ws.tenantId), started.rotationId, {
      batchSize: 100,
      batchBytes: 1, // every batch still takes one row
    });
    expect(done).toMatchObject({ status: 'done', rowsDone: 5 });
    // One write statement per batch, hence one audit event per batch: five, of one row each.
    const { rows } = await admin.query<{ n: number }>(
      `select jsonb_array_length(targets) as n from wardroom.audit_log
        where tenant_id = $1 and action = 'message.updated'`,
      [ws.tenantId],
    );
    expect(rows.map((r) => r.n)).toEqual([1, 1, 1, 1, 1]);
    expect(await versionCounts(admin, ws.tenantId)).toEqual({ 2: 5 });
    expect(await readAll(a, ws)).toEqual(ws.messages);
  });
});

/**
 * What the log guarantees besides tamper evidence: the app role can only
 * append and read; every data change is recorded in its transaction, and
 * changes from any other role are marked `ops`; concurrent writers in one
 * workspace make one unbroken chain without making other workspaces wait;
 * external calls leave an intent that a rollback cannot erase; and the
 * database's canonical JSON equals RFC 8785 as computed outside it.
 */
import { userPrincipal } from '../../src/db/principal.js';
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import fc from 'fast-check';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createCheckpoint,
  isCheckpointSigned,
  chainPending,
} from '../../src/modules/audit/checkpoints.js';
import { auditRecordSelect, eventHash } from '../../src/modules/audit/event.js';
import {
  listPendingIntents,
  recordEvent,
  recordExternalCall,
} from '../../src/modules/audit/record.js';
import { verifyChain } from '../../src/modules/audit/verify.js';
import { newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import {
  adminClient,
  checkpointDir,
  systemPrincipal,
  workspaceWithHistory,
} from '../support/audit.js';

let t: TestApp;
let admin: pg.Client;
beforeAll(async () => {
  t = await startTestApp({ poolMax: 10 });
  admin = await adminClient();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

async function events(tenantId: string) {
  await t.db.withTenant(systemPrincipal(tenantId), (tx) => chainPending(tx));
  return t.db
    .withTenant(systemPrincipal(tenantId), (tx) =>
      tx
        .selectFrom('audit_log as a')
        .select(auditRecordSelect().as('r'))
        .where('a.seq', 'is not', null)
        .orderBy('a.seq')
        .execute(),
    )
    .then((rows) => rows.map((x) => x.r));
}

async function asApp(tenantId: string, statement: string): Promise<string> {
  const client = new pg.Client({ connectionString: inject('appUrl') });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(`select set_config('wardroom.tenant_id', $1, true)`, [tenantId]);
    await client.query(statement);
    return 'ok';
  } catch (error) {
    return error instanceof Error && 'code' in error ? String(error.code) : 'unknown';
  } finally {
    await client.query('rollback').catch(() => undefined);
    await client.end();
  }
}

describe('the audit log', () => {
  it('refuses UPDATE, DELETE and TRUNCATE to the app role', async () => {
    const ws = await workspaceWithHistory(t, 1);
    expect(await asApp(ws.id, `update wardroom.audit_log set action = 'x.y'`)).toBe('42501');
    expect(await asApp(ws.id, 'delete from wardroom.audit_log')).toBe('42501');
    expect(await asApp(ws.id, 'truncate wardroom.audit_log')).toBe('42501');
    expect(await asApp(ws.id, `update wardroom.audit_heads set seq = 0`)).toBe('42501');
    expect(await asApp(ws.id, `select count(*) from wardroom.audit_log`)).toBe('ok');
  });

  it('records data changes in the same transaction, with the actor and correlation id', async () => {
    const ws = await newWorkspace(t);
    const principal = userPrincipal(ws.id, ws.ownerUserId);
    await expect(
      t.db.withTenant(principal, async (tx) => {
        await tx
          .insertInto('workrooms')
          .values({
            tenant_id: ws.id,
            id: randomUUID(),
            name: 'doomed',
            created_by: ws.ownerUserId,
          })
          .execute();
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await events(ws.id)).filter((e) => e.action === 'workroom.created')).toHaveLength(0);

    const id = randomUUID();
    await t.db.withTenant(principal, (tx) =>
      tx
        .insertInto('workrooms')
        .values({ tenant_id: ws.id, id, name: 'kept', created_by: ws.ownerUserId })
        .execute(),
    );
    const created = (await events(ws.id)).find((e) => e.action === 'workroom.created');
    expect(created).toMatchObject({
      actor_type: 'user',
      actor_id: ws.ownerUserId,
      correlation_id: principal.correlationId,
      targets: [{ type: 'workroom', id }],
      metadata: {},
    });
  });

  it('marks changes by any other role as ops, whatever the session claims', async () => {
    const ws = await workspaceWithHistory(t, 1);
    await admin.query('begin');
    await admin.query(`select set_config('wardroom.actor_type', 'user', true)`);
    await admin.query(
      `update wardroom.workrooms set name = 'renamed by ops' where tenant_id = $1`,
      [ws.id],
    );
    await admin.query(
      `insert into wardroom.audit_log (tenant_id, actor_type, actor_id, action) values ($1, 'user', 'mallory', 'note.added')`,
      [ws.id],
    );
    await admin.query('commit');
    const all = await events(ws.id);
    const { rows } = await admin.query<{ u: string }>('select session_user as u');
    expect(all.find((e) => e.action === 'workroom.updated')).toMatchObject({
      actor_type: 'ops',
      actor_id: rows[0]?.u,
      metadata: { changed: ['name'] },
    });
    expect(all.find((e) => e.action === 'note.added')).toMatchObject({ actor_type: 'ops' });
    expect(JSON.stringify(all)).not.toContain('renamed by ops'); // names of changed columns only, never values
    expect(await verifyChain(all)).toMatchObject({ ok: true });
  });

  it('records one event per statement and kind of change, naming every row, and none for an update that changes nothing', async () => {
    const ws = await newWorkspace(t);
    const principal = userPrincipal(ws.id, 'u-1');
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()].sort();
    const before = (await events(ws.id)).length;
    await t.db.withTenant(principal, async (tx) => {
      await tx
        .insertInto('workrooms')
        .values(
          ids.map((id, i) => ({ tenant_id: ws.id, id, name: `r${i}`, created_by: ws.ownerUserId })),
        )
        .execute();
      // r0 keeps its value; r1 and r2 change name; r3 changes name and created_by.
      await sql`update wardroom.workrooms
                   set name = case when name = 'r0' then 'r0' else name || '!' end,
                       created_by = case when name = 'r3' then gen_random_uuid() else created_by end
                 where id = any(${ids}::uuid[])`.execute(tx);
      await sql`update wardroom.workrooms set name = name where id = any(${ids}::uuid[])`.execute(
        tx,
      );
      await tx.deleteFrom('workrooms').where('id', 'in', [ids[2]!, ids[3]!]).execute();
    });
    const added = (await events(ws.id)).slice(before);
    const summary = added.map((e) => [e.action, e.targets.map((x) => x.id), e.metadata]);
    expect(summary).toEqual([
      ['workroom.created', ids, {}],
      ['workroom.updated', [ids[3]], { changed: ['created_by', 'name'] }],
      ['workroom.updated', [ids[1], ids[2]], { changed: ['name'] }],
      ['workroom.deleted', [ids[2], ids[3]], {}],
    ]);
    expect(added.every((e) => e.targets.every((x) => x.type === 'workroom'))).toBe(true);
    expect(added.every((e) => e.actor_type === 'user' && e.actor_id === 'u-1')).toBe(true);
    expect(await verifyChain(await events(ws.id))).toMatchObject({ ok: true });
  });

  it('splits a large statement into events of at most 1,000 targets, naming each row exactly once', async () => {
    const ws = await newWorkspace(t);
    const ids = Array.from({ length: 2_345 }, () => randomUUID());
    const before = (await events(ws.id)).length;
    await t.db.withTenant(systemPrincipal(ws.id), async (tx) => {
      await tx
        .insertInto('workrooms')
        .values(
          ids.map((id) => ({ tenant_id: ws.id, id, name: 'bulk', created_by: ws.ownerUserId })),
        )
        .execute();
      await tx
        .updateTable('workrooms')
        .set({ name: 'renamed' })
        .where('name', '=', 'bulk')
        .execute();
    });
    const added = (await events(ws.id)).slice(before);
    for (const action of ['workroom.created', 'workroom.updated']) {
      const of = added.filter((e) => e.action === action);
      expect(of.map((e) => e.targets.length)).toEqual([1000, 1000, 345]);
      const named = of.flatMap((e) => e.targets.map((x) => x.id));
      expect(named).toEqual([...ids].sort());
    }
    // The chainer's canonical JSON of these large target arrays matches RFC 8785 outside it.
    expect(await verifyChain(await events(ws.id))).toMatchObject({ ok: true });
  });

  it("never names one workspace's rows in another's event, even for a statement spanning both", async () => {
    const [a, b] = [await newWorkspace(t), await newWorkspace(t)];
    const ids = { a: [randomUUID(), randomUUID()].sort(), b: [randomUUID()] };
    for (const [ws, list] of [
      [a, ids.a],
      [b, ids.b],
    ] as const) {
      for (const id of list) {
        await admin.query(
          `insert into wardroom.workrooms (tenant_id, id, name, created_by) values ($1, $2, 'x', $3)`,
          [ws.id, id, ws.ownerUserId],
        );
      }
    }
    const before = { a: (await events(a.id)).length, b: (await events(b.id)).length };
    // An operator statement (RLS does not bind the admin) touching both workspaces at once.
    await admin.query(`update wardroom.workrooms set name = 'both' where id = any($1::uuid[])`, [
      [...ids.a, ...ids.b],
    ]);
    const addedA = (await events(a.id)).slice(before.a);
    const addedB = (await events(b.id)).slice(before.b);
    expect(addedA.map((e) => [e.tenant_id, e.targets.map((x) => x.id)])).toEqual([[a.id, ids.a]]);
    expect(addedB.map((e) => [e.tenant_id, e.targets.map((x) => x.id)])).toEqual([[b.id, ids.b]]);
  });

  it('records an update that moves a row to another key with every column, so it cannot hide', async () => {
    const ws = await newWorkspace(t);
    const [id, moved] = [randomUUID(), randomUUID()];
    await admin.query(
      `insert into wardroom.workrooms (tenant_id, id, name, created_by) values ($1, $2, 'movable', $3)`,
      [ws.id, id, ws.ownerUserId],
    );
    const before = (await events(ws.id)).length;
    await admin.query(`update wardroom.workrooms set id = $3 where tenant_id = $1 and id = $2`, [
      ws.id,
      id,
      moved,
    ]);
    const added = (await events(ws.id)).slice(before);
    // Both halves are unpaired: one event names the old and the new key, every column changed.
    expect(added.map((e) => [e.action, e.actor_type, e.metadata])).toEqual([
      [
        'workroom.updated',
        'ops',
        { changed: ['created_at', 'created_by', 'id', 'name', 'name_sealed', 'tenant_id'] },
      ],
    ]);
    expect(added[0]?.targets.map((x) => x.id)).toEqual([id, moved].sort());
  });

  it('records both halves of an upsert', async () => {
    const ws = await newWorkspace(t);
    const id = randomUUID();
    const before = (await events(ws.id)).length;
    const upsert = (name: string) =>
      t.db.withTenant(systemPrincipal(ws.id), (tx) =>
        tx
          .insertInto('workrooms')
          .values({ tenant_id: ws.id, id, name, created_by: ws.ownerUserId })
          .onConflict((oc) => oc.columns(['tenant_id', 'id']).doUpdateSet({ name }))
          .execute(),
      );
    await upsert('first');
    await upsert('second');
    const added = (await events(ws.id)).slice(before);
    expect(added.map((e) => [e.action, e.metadata])).toEqual([
      ['workroom.created', {}],
      ['workroom.updated', { changed: ['name'] }],
    ]);
  });

  it('stamps and validates what the app inserts from a trigger of its own, as at top level', async () => {
    const ws = await newWorkspace(t);
    const client = new pg.Client({ connectionString: inject('appUrl') });
    await client.connect();
    // The app role may make temporary functions and tables; a trigger on one
    // runs its inserts into the log at trigger depth 1.
    const viaTrigger = async (values: string): Promise<string> => {
      await client.query('begin');
      try {
        await client.query(`select set_config('wardroom.tenant_id', $1, true)`, [ws.id]);
        await client.query(`create function pg_temp.forge() returns trigger language plpgsql as $$
          begin
            insert into wardroom.audit_log (tenant_id, actor_type, action, seq, prev_hash, hash, metadata)
            values (current_setting('wardroom.tenant_id')::uuid, ${values});
            return null;
          end $$`);
        await client.query('create temp table bait (x int) on commit drop');
        await client.query(
          'create trigger forge after insert on bait for each statement execute function pg_temp.forge()',
        );
        await client.query('insert into bait values (1)');
        await client.query('drop function pg_temp.forge() cascade');
        await client.query('commit');
        return 'ok';
      } catch (error) {
        await client.query('rollback');
        return error instanceof Error && 'code' in error ? String(error.code) : 'unknown';
      }
    };
    try {
      expect(await viaTrigger(`'system', 'unsafe.number', null, null, null, '{"n": 1.5}'`)).toBe(
        '22023',
      );
      expect(await viaTrigger(`'system', 'forged.seal', 1, '\\x00', '\\x01', '{}'`)).toBe('ok');
    } finally {
      await client.end();
    }
    const all = await events(ws.id);
    const forged = all.find((e) => e.action === 'forged.seal');
    expect(forged?.seq).toBe(all.length); // sealed in turn, not at the seq it claimed
    expect(all.some((e) => e.action === 'unsafe.number')).toBe(false);
    expect(await verifyChain(all)).toMatchObject({ ok: true });
  });

  it('keeps one unbroken chain under 8 concurrent writers in one workspace', async () => {
    const ws = await newWorkspace(t);
    const before = (await events(ws.id)).length;
    await Promise.all(
      Array.from({ length: 8 }, async (_, writer) => {
        for (let i = 0; i < 15; i++) {
          await t.db.withTenant(systemPrincipal(ws.id), (tx) =>
            recordEvent(tx, { action: 'load.tested', metadata: { writer, i } }),
          );
        }
      }),
    );
    const all = await events(ws.id);
    expect(all).toHaveLength(before + 120);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(await verifyChain(all)).toMatchObject({ ok: true, lastSeq: before + 120 });
  });

  it("never makes writers wait on each other, nor one workspace's chaining wait on another", async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    const holder = new pg.Client({ connectionString: inject('appUrl') });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`select set_config('wardroom.tenant_id', $1, true)`, [a.id]);
      await holder.query(
        `insert into wardroom.audit_log (tenant_id, actor_type, action) values ($1, 'system', 'lock.held')`,
        [a.id],
      );
      await holder.query('select wardroom.audit_seal()'); // holds A's chain head until rollback
      // Appending in A and chaining in B go ahead at once.
      const appended = await t.db.withTenant(systemPrincipal(a.id), async (tx) => {
        await sql`set local lock_timeout = '2s'`.execute(tx);
        return recordEvent(tx, { action: 'not.blocked' });
      });
      expect(appended).toMatch(/^\d+$/);
      const sealed = await t.db.withTenant(systemPrincipal(b.id), async (tx) => {
        await sql`set local lock_timeout = '2s'`.execute(tx);
        return chainPending(tx);
      });
      expect(sealed).toBeGreaterThan(0);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  });

  it('records external calls in two phases; an intent survives the caller rolling back', async () => {
    const ws = await newWorkspace(t);
    const principal = systemPrincipal(ws.id);
    await expect(
      t.db.withTenant(principal, async () => {
        await recordExternalCall(
          t.db,
          principal,
          { action: 'llm.fake.messages', metadata: { model: 'm1' } },
          () => Promise.resolve('ok'),
        );
        throw new Error('caller failed after the call');
      }),
    ).rejects.toThrow('caller failed');
    await expect(
      recordExternalCall(t.db, principal, { action: 'connector.fake.fetch' }, () =>
        Promise.reject(new Error('upstream down')),
      ),
    ).rejects.toThrow('upstream down');
    // A crash between intent and outcome leaves an intent alone.
    await t.db.withTenant(principal, (tx) => recordEvent(tx, { action: 'email.smtp.send.intent' }));

    const all = await events(ws.id);
    const names = all.map((e) => e.action);
    expect(names).toEqual(
      expect.arrayContaining([
        'llm.fake.messages.intent',
        'llm.fake.messages.outcome',
        'connector.fake.fetch.intent',
      ]),
    );
    const failed = all.find((e) => e.action === 'connector.fake.fetch.outcome');
    expect(failed?.metadata).toMatchObject({ status: 'error', error_code: 'internal' });
    const pending = await t.db.withTenant(principal, (tx) => listPendingIntents(tx));
    expect(pending.map((p) => p.action)).toEqual(['email.smtp.send.intent']);
  });

  it('publishes the checkpoint key, and checkpoints verify with it', async () => {
    const res = await t.app.inject({ url: '/.well-known/wardroom-audit-key' });
    const key = res.json<{ key_id: string; algorithm: string; public_key: string }>();
    expect(key).toEqual({
      key_id: t.auditSigner.keyId,
      algorithm: 'Ed25519',
      public_key: t.auditSigner.publicKey,
    });
    const ws = await workspaceWithHistory(t, 1);
    const dir = await checkpointDir();
    const checkpoint = await createCheckpoint(t.db, t.auditSigner, dir, ws.id);
    expect(checkpoint).toBeDefined();
    expect(isCheckpointSigned(checkpoint!, key.public_key)).toBe(true);
    expect(isCheckpointSigned({ ...checkpoint!, seq: checkpoint!.seq + 1 }, key.public_key)).toBe(
      false,
    );
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses at insert what could not be chained, so no event can stall chaining', async () => {
    const ws = await newWorkspace(t);
    const bad = [
      ...['{"x":1.5}', '{"\ud83d\ude00":1}', '{"big":9007199254740993}'].map((metadata) => ({
        metadata,
      })),
      // A target-shaped object (rendered by jcs's inline path) with a key above U+FFFF.
      { targets: '[{"type":"x","id":"1"},{"\ud83d\ude00":"y"}]' },
    ];
    for (const fields of bad) {
      await expect(
        t.db.withTenant(systemPrincipal(ws.id), (tx) =>
          tx
            .insertInto('audit_log')
            .values({ tenant_id: ws.id, actor_type: 'system', action: 'bad.event', ...fields })
            .execute(),
        ),
      ).rejects.toMatchObject({ code: '22023' });
    }
    await t.db.withTenant(systemPrincipal(ws.id), (tx) =>
      recordEvent(tx, { action: 'good.event' }),
    );
    const { rows } = await admin.query<{ n: number }>(
      'select wardroom.audit_seal_pending(1000) as n',
    );
    expect(rows[0]?.n).toBeGreaterThan(0);
    expect((await events(ws.id)).map((e) => e.action)).toContain('good.event');
  });

  it('hashes exactly what RFC 8785 canonical JSON gives outside the database', async () => {
    const ws = await newWorkspace(t);
    const key = fc
      .string({ minLength: 1, maxLength: 8 })
      .filter((k) => !/[\ud800-\udfff]/.test(k) && k !== '__proto__');
    const text = fc
      .string({ maxLength: 30 })
      .filter((s) => !s.includes('\u0000') && !/[\ud800-\udfff]/.test(s));
    const scalar = fc.oneof(
      text,
      fc.integer({ min: -1e15, max: 1e15 }),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    // Arrays of flat string objects (targets) take jcs's inline path; the rest recurses.
    const targets = fc.array(fc.dictionary(key, text, { maxKeys: 4 }), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(key, value, { maxKeys: 5 }),
        targets,
        async (metadata, targetList) => {
          await t.db.withTenant(systemPrincipal(ws.id), (tx) =>
            tx
              .insertInto('audit_log')
              .values({
                tenant_id: ws.id,
                actor_type: 'system',
                action: 'prop.tested',
                metadata: JSON.stringify(metadata),
                targets: JSON.stringify(targetList),
              })
              .execute(),
          );
          const all = await events(ws.id);
          const last = all[all.length - 1]!;
          expect(eventHash(last)).toBe(last.hash);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/**
 * Key events across processes: delivered only on commit, ignored when
 * malformed, and a listener whose connection dies comes back and drops
 * every cached key (it may have missed events meanwhile).
 */
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyKeyEvent } from '../../src/modules/keys/rotation/key-events.js';
import {
  connectSuperuser,
  newFilledWorkspace,
  principal,
  startProcess,
  type Process,
} from '../support/keys.js';

let a: Process;
let b: Process;
let admin: pg.Client;
const bName = `keys-events-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  a = await startProcess();
  b = await startProcess({ applicationName: bName });
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await a.close();
  await b.close();
});

const probe = { table: 'messages', column: 'content', rowId: 'probe' };

describe('key events', () => {
  it('are heard only when the sending transaction commits', async () => {
    const ws = await newFilledWorkspace(a, 0);
    const heard: string[] = [];
    void b.nextEvent(ws.tenantId).then((e) => heard.push(e.event));
    await expect(
      a.db.withTenant(principal(ws.tenantId), async (tx) => {
        await notifyKeyEvent(tx, 'shredded');
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await a.db.withTenant(principal(ws.tenantId), (tx) => notifyKeyEvent(tx, 'policy'));
    await expect.poll(() => heard).toEqual(['policy']);
  });

  it('ignore payloads that are not key events', async () => {
    const ws = await newFilledWorkspace(a, 0);
    await b.db.withTenant(principal(ws.tenantId), (tx) =>
      b.keyring.seal(tx, probe, Buffer.from('x')),
    );
    const next = b.nextEvent(ws.tenantId);
    await a.db.withTenant(principal(ws.tenantId), async (tx) => {
      for (const bad of [
        'not json',
        '{}',
        JSON.stringify({ tenant_id: ws.tenantId, event: 'x' }),
      ]) {
        await sql`select pg_notify('wardroom_keys', ${bad})`.execute(tx);
      }
      await notifyKeyEvent(tx, 'rotated');
    });
    expect(await next).toEqual({ tenant_id: ws.tenantId, event: 'rotated' });
  });

  it('reconnect after the listening connection is killed, dropping every cached key', async () => {
    const ws = await newFilledWorkspace(a, 0);
    const sealed = await b.db.withTenant(principal(ws.tenantId), (tx) =>
      b.keyring.seal(tx, probe, Buffer.from('kept')),
    );
    const { rows } = await admin.query<{ n: number }>(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where application_name = $1 and datname = current_database()`,
      [bName],
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
    // Once back, events arrive again.
    await expect
      .poll(
        async () => {
          const next = Promise.race([
            b.nextEvent(ws.tenantId).then(() => true),
            new Promise<boolean>((r) => setTimeout(() => r(false), 300)),
          ]);
          await a.db.withTenant(principal(ws.tenantId), (tx) => notifyKeyEvent(tx, 'policy'));
          return next;
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBe(true);
    expect(b.reconnects()).toBe(1);
    // The key was dropped and is read again from the database: still opens.
    const opened = await b.db.withTenant(principal(ws.tenantId), (tx) =>
      b.keyring.open(tx, probe, sealed),
    );
    expect(opened.toString()).toBe('kept');
  });
});

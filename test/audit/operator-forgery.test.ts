/**
 * An administrator cannot write history in someone else's name (migration
 * 009): an INSERT into the log under SET ROLE owner is stamped like any
 * other non-app write (actor `ops`, the database's clock), and
 * session_replication_role = replica no longer silences the audit triggers.
 * What a superuser can still do is in docs/audit.md, "Trust root".
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { quoteIdent } from '../../src/db/roles.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { adminClient, workspaceWithHistory } from '../support/audit.js';

let t: TestApp;
let admin: pg.Client;
const owner = () => quoteIdent(`${inject('rolePrefix')}owner`);

beforeAll(async () => {
  t = await startTestApp();
  admin = await adminClient();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

async function inTransaction<T>(fn: () => Promise<T>): Promise<T> {
  await admin.query('begin');
  try {
    return await fn();
  } finally {
    await admin.query('rollback');
  }
}

const FORGE = `insert into wardroom.audit_log (tenant_id, actor_type, actor_id, action, occurred_at)
  values ($1, 'api_token', $2, 'workroom.deleted', $3) returning actor_type, actor_id, occurred_at`;

describe('events forged by an administrator', () => {
  it('refuses a back-dated event inserted as the owner role', async () => {
    const ws = await workspaceWithHistory(t, 1);
    await inTransaction(async () => {
      await admin.query(`set local role ${owner()}`);
      await expect(
        admin.query(FORGE, [ws.id, randomUUID(), new Date(Date.now() - 86_400_000)]),
      ).rejects.toThrow(/stamped by the database clock/);
    });
  });

  it('stamps an api_token event inserted as the owner role as ops', async () => {
    const ws = await workspaceWithHistory(t, 1);
    const row = await inTransaction(async () => {
      await admin.query(`set local role ${owner()}`);
      const { rows } = await admin.query<{ actor_type: string }>(FORGE, [
        ws.id,
        randomUUID(),
        new Date(),
      ]);
      return rows[0];
    });
    expect(row?.actor_type).toBe('ops');
  });

  it('still records a change made under session_replication_role = replica', async () => {
    const ws = await workspaceWithHistory(t, 1);
    const events = await inTransaction(async () => {
      await admin.query('set local session_replication_role = replica');
      await admin.query(`update wardroom.workrooms set name = 'renamed' where tenant_id = $1`, [
        ws.id,
      ]);
      const { rows } = await admin.query<{ actor_type: string; actor_id: string }>(
        `select actor_type, actor_id from wardroom.audit_log
          where tenant_id = $1 and action = 'workroom.updated'`,
        [ws.id],
      );
      return rows;
    });
    expect(events).toEqual([{ actor_type: 'ops', actor_id: 'postgres' }]);
  });

  it('keeps the stamp enabled ALWAYS on audit partitions created later', async () => {
    const enabled = await inTransaction(async () => {
      const { rows } = await admin.query<{ name: string }>(
        `select wardroom.ensure_audit_partition('2091-03-01') as name`,
      );
      const { rows: triggers } = await admin.query<{ tgenabled: string }>(
        `select tgenabled from pg_trigger
          where tgrelid = ('wardroom.' || $1)::regclass and tgname = 'audit_stamp'`,
        [rows[0]?.name],
      );
      return triggers.map((r) => r.tgenabled);
    });
    expect(enabled).toEqual(['A']);
  });
});

/**
 * wardroom.make_tenant_table (migration 008, src/db/sql/make_tenant_table.sql)
 * on a database of this file's own: a table made with it and granted
 * explicitly passes `db check`, carries the same policy and audit triggers as
 * a table of migration 001 made by hand, and is fail-closed for the app role
 * when no tenant is set. A table made without it fails the check; the helper
 * grants nothing; it refuses tables it cannot make tenant tables; and only
 * the owner may execute it.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checkDatabase, type CheckFinding } from '../../src/db/check.js';
import { quoteIdent } from '../../src/db/roles.js';
import { attempt, connect, inTenant } from '../support/app-session.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';

const HELPER = 'wardroom.make_tenant_table(regclass, text, text)';

let tdb: TestDatabase;
let admin: pg.Client;
let app: pg.Client;

beforeAll(async () => {
  tdb = await createTestDatabase(inject('clusterUrl'));
  admin = await connect(tdb.adminUrl);
  app = await connect(tdb.appUrl);
});

afterAll(async () => {
  await app.end();
  await admin.end();
  await dropTestDatabase(inject('clusterUrl'), tdb);
});

const fill = (text: string) =>
  text
    .replaceAll('{app}', quoteIdent(tdb.roles.app))
    .replaceAll('{owner}', quoteIdent(tdb.roles.owner))
    .replaceAll('{ops}', quoteIdent(tdb.roles.ops));

/** Runs `text` as the owner role, as a migration would, and commits. */
async function asOwner(text: string): Promise<void> {
  await admin.query('begin');
  try {
    await admin.query(fill(`set local role {owner}; ${text}`));
    await admin.query('commit');
  } catch (error) {
    await admin.query('rollback');
    throw error;
  }
}

/** Runs `text` as the owner and `db check` inside one transaction, then rolls back. */
async function findingsAfter(text: string): Promise<string[]> {
  await admin.query('begin');
  try {
    await admin.query(fill(`set local role {owner}; ${text}; reset role`));
    return keys(await checkDatabase(admin, tdb.roles));
  } finally {
    await admin.query('rollback');
  }
}

const keys = (findings: readonly CheckFinding[]) =>
  [...new Set(findings.map((f) => `${f.rule} ${f.object}`))].sort();

const table = (name: string, columns = 'tenant_id uuid not null, id uuid not null') =>
  `create table wardroom.${name} (${columns} default wardroom.uuid_v7(), body text,
     primary key (tenant_id, id))`;

describe('wardroom.make_tenant_table', () => {
  it('exists after the migrations, which still pass db check', async () => {
    const { rows } = await admin.query<{ n: number }>(
      `select count(*)::int as n from pg_proc where oid = $1::regprocedure`,
      [HELPER],
    );
    expect(rows[0]?.n).toBe(1);
    expect(await checkDatabase(admin, tdb.roles)).toEqual([]);
  });

  it('is executable by the owner only, not by PUBLIC, the app role or the ops role', async () => {
    const { rows } = await admin.query<{ role: string; can: boolean }>(
      `select r as role, has_function_privilege(r, $1, 'EXECUTE') as can
         from unnest($2::text[]) r order by 1`,
      [HELPER, [tdb.roles.app, tdb.roles.ops, tdb.roles.owner, 'public']],
    );
    expect(Object.fromEntries(rows.map((r) => [r.role, r.can]))).toEqual({
      [tdb.roles.app]: false,
      [tdb.roles.ops]: false,
      [tdb.roles.owner]: true,
      public: false,
    });
    const call = `select wardroom.make_tenant_table('wardroom.messages', 'message', 'id')`;
    await inTenant(app, null, async () => {
      expect(await attempt(app, call)).toMatchObject({
        ok: false,
        code: '42501',
        message: expect.stringMatching(
          /permission denied for function make_tenant_table/,
        ) as string,
      });
    });
    await inTenant(admin, null, async () => {
      await admin.query(fill('set local role {ops}'));
      expect(await attempt(admin, call)).toMatchObject({ ok: false, code: '42501' });
    });
  });

  describe('on a table granted explicitly', () => {
    const tenant = randomUUID();
    const other = randomUUID();

    beforeAll(async () => {
      await asOwner(`${table('notes')};
        select wardroom.make_tenant_table('wardroom.notes', 'note', 'id');
        grant select, insert, update, delete on wardroom.notes to {app}`);
      await inTenant(
        app,
        tenant,
        () =>
          app.query(`insert into wardroom.notes (tenant_id, body) values ($1, 'hello')`, [tenant]),
        'commit',
      );
    });

    it('passes db check', async () => {
      expect(await checkDatabase(admin, tdb.roles)).toEqual([]);
    });

    it('carries the RLS, policy and audit triggers of a table made by hand in 001 and 006', async () => {
      const rls = await admin.query<{ name: string; rls: boolean; force: boolean }>(
        `select relname as name, relrowsecurity as rls, relforcerowsecurity as force
           from pg_class where oid in ('wardroom.notes'::regclass, 'wardroom.workrooms'::regclass)
          order by 1`,
      );
      expect(rls.rows).toEqual([
        { name: 'notes', rls: true, force: true },
        { name: 'workrooms', rls: true, force: true },
      ]);
      const policies = (t: string) =>
        admin.query(
          `select polname, polcmd, polpermissive, polroles::regrole[]::text[] as roles,
                  pg_get_expr(polqual, polrelid) as qual, pg_get_expr(polwithcheck, polrelid) as check
             from pg_policy where polrelid = $1::regclass order by polname`,
          [t],
        );
      const mine = (await policies('wardroom.notes')).rows;
      expect(mine).toHaveLength(1);
      expect(mine).toEqual((await policies('wardroom.workrooms')).rows);
      const triggers = (t: string, entity: string) =>
        admin.query<{ def: string; enabled: string }>(
          `select replace(replace(pg_get_triggerdef(oid), $1::regclass::text, '<table>'),
                          quote_literal($2), '<entity>') as def, tgenabled as enabled
             from pg_trigger where tgrelid = $1::regclass and not tgisinternal order by tgname`,
          [t, entity],
        );
      const made = (await triggers('wardroom.notes', 'note')).rows;
      expect(made).toHaveLength(3);
      expect(made).toEqual((await triggers('wardroom.workrooms', 'workroom')).rows);
    });

    it('is fail-closed for the app role with no tenant set, or the tenant set to empty', async () => {
      const total = await admin.query<{ n: number }>(
        `select count(*)::int as n from wardroom.notes`,
      );
      expect(total.rows[0]?.n).toBe(1);
      for (const setting of [null, '']) {
        await inTenant(app, setting, async () => {
          expect(await attempt(app, 'select * from wardroom.notes')).toMatchObject({
            ok: true,
            rowCount: 0,
          });
          expect(await attempt(app, `update wardroom.notes set body = 'x'`)).toMatchObject({
            ok: true,
            rowCount: 0,
          });
          expect(await attempt(app, 'delete from wardroom.notes')).toMatchObject({
            ok: true,
            rowCount: 0,
          });
          const insert = await attempt(
            app,
            `insert into wardroom.notes (tenant_id, body) values ($1, 'forged')`,
            [tenant],
          );
          expect(insert).toMatchObject({ ok: false, code: '42501' });
        });
      }
    });

    it("shows a tenant its own rows only, and records their changes in the tenant's audit log", async () => {
      await inTenant(app, tenant, async () => {
        expect(await attempt(app, 'select body from wardroom.notes')).toMatchObject({
          ok: true,
          rows: [{ body: 'hello' }],
        });
      });
      await inTenant(app, other, async () => {
        expect(await attempt(app, 'select * from wardroom.notes')).toMatchObject({ rowCount: 0 });
      });
      const { rows } = await admin.query<{ action: string; type: string }>(
        `select action, targets -> 0 ->> 'type' as type from wardroom.audit_log
          where tenant_id = $1 order by id`,
        [tenant],
      );
      expect(rows).toEqual([{ action: 'note.created', type: 'note' }]);
    });
  });

  it('fails db check for a table made without it, even with grants', async () => {
    const found = await findingsAfter(`${table('drafts')};
      grant select, insert, update, delete on wardroom.drafts to {app}`);
    expect(found).toEqual([
      'audit_trigger_missing wardroom.drafts',
      'policy_missing wardroom.drafts',
      'rls_not_enabled wardroom.drafts',
      'rls_not_forced wardroom.drafts',
    ]);
  });

  it('grants nothing: without its grants the table passes db check but the app role may not use it', async () => {
    await asOwner(`${table('memos')};
      select wardroom.make_tenant_table('wardroom.memos', 'memo', 'id')`);
    expect(await checkDatabase(admin, tdb.roles)).toEqual([]);
    const { rows } = await admin.query<{ privs: string[] }>(
      `select array(select p from unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p
                     where has_table_privilege($1::text, 'wardroom.memos', p)) as privs`,
      [tdb.roles.app],
    );
    expect(rows[0]?.privs).toEqual([]);
    await inTenant(app, randomUUID(), async () => {
      expect(await attempt(app, 'select * from wardroom.memos')).toMatchObject({
        ok: false,
        code: '42501',
        message: expect.stringMatching(/permission denied/) as string,
      });
    });
  });

  it.each([
    [
      'a table outside schema wardroom',
      '',
      `'pg_catalog.pg_class', 'x', 'oid'`,
      /not a table in schema wardroom/,
    ],
    [
      'a table without tenant_id',
      table('t', 'tenant uuid not null, id uuid not null').replace(
        '(tenant_id, id)',
        '(tenant, id)',
      ),
      `'wardroom.t', 't', 'id'`,
      /lacks a "tenant_id uuid not null" column/,
    ],
    [
      'a nullable tenant_id',
      table('t', 'tenant_id uuid, id uuid not null').replace(
        'primary key (tenant_id, id)',
        'unique (id)',
      ),
      `'wardroom.t', 't', 'id'`,
      /lacks a "tenant_id uuid not null" column/,
    ],
    [
      'a table without a primary key',
      table('t').replace(',\n     primary key (tenant_id, id)', ''),
      `'wardroom.t', 't', 'id'`,
      /has no primary key/,
    ],
    [
      'an id column the table lacks',
      table('t'),
      `'wardroom.t', 't', 'ident'`,
      /has no column ident/,
    ],
    [
      'an entity that cannot name an action',
      table('t'),
      `'wardroom.t', 'Note.x', 'id'`,
      /not a lower-case audit name/,
    ],
  ])('refuses %s', async (_name, create, args, why) => {
    await admin.query('begin');
    try {
      await admin.query(fill('set local role {owner}'));
      if (create !== '') await admin.query(create);
      const outcome = await attempt(admin, `select wardroom.make_tenant_table(${args})`);
      expect(outcome).toMatchObject({ ok: false, code: '22023' });
      if (!outcome.ok) expect(outcome.message).toMatch(why);
    } finally {
      await admin.query('rollback');
    }
  });
});

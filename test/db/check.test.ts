/**
 * `wardroom db check` can fail: each case applies one bad change to a fresh,
 * migrated database (inside a transaction that is rolled back), and the check
 * must report exactly the expected rule and object. The clean database and
 * well-formed additions produce no findings, and the real migration runner
 * with a bad migration leaves a database the check rejects.
 */
import { copyFile, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';
import { checkDatabase, type CheckFinding } from '../../src/db/check.js';
import { migrate, MIGRATIONS_DIR } from '../../src/db/migrate.js';
import { quoteIdent } from '../../src/db/roles.js';

const BOUND = `tenant_id = (select nullif(current_setting('wardroom.tenant_id', true), '')::uuid)`;
const GOOD_TABLE = `create table wardroom.notes (tenant_id uuid not null, id uuid not null,
    body text, primary key (tenant_id, id));
  alter table wardroom.notes enable row level security;
  alter table wardroom.notes force row level security;
  create policy tenant_isolation on wardroom.notes for all to {app} using (${BOUND}) with check (${BOUND});
  grant select, insert, update, delete on wardroom.notes to {app};
  create trigger audit_insert after insert on wardroom.notes referencing new table as new_rows
    for each statement execute function wardroom.audit_changes('note', 'id');
  create trigger audit_update after update on wardroom.notes referencing old table as old_rows new table as new_rows
    for each statement execute function wardroom.audit_changes('note', 'id');
  create trigger audit_delete after delete on wardroom.notes referencing old table as old_rows
    for each statement execute function wardroom.audit_changes('note', 'id')`;

interface Case {
  readonly name: string;
  /** SQL run as the owner role (a migration) or as the superuser admin. */
  readonly as: 'owner' | 'admin';
  readonly sql: string;
  /** Every finding, as `rule object`; with `partial`, only these must be among them. */
  readonly expected: readonly string[];
  readonly partial?: true;
}

const cases: readonly Case[] = [
  {
    name: 'a new tenant table without RLS or policies',
    as: 'owner',
    sql: `create table wardroom.notes (tenant_id uuid not null, id uuid not null, primary key (tenant_id, id));
      grant select on wardroom.notes to {app}`,
    expected: [
      'audit_trigger_missing wardroom.notes',
      'policy_missing wardroom.notes',
      'rls_not_enabled wardroom.notes',
      'rls_not_forced wardroom.notes',
    ],
  },
  {
    name: 'a tenant table without the audit trigger',
    as: 'owner',
    sql: GOOD_TABLE.slice(0, GOOD_TABLE.indexOf(';\n  create trigger')),
    expected: ['audit_trigger_missing wardroom.notes'],
  },
  {
    name: 'a tenant table audited on insert and delete but not update',
    as: 'owner',
    sql: GOOD_TABLE.replace(/create trigger audit_update[^;]*;/, ''),
    expected: ['audit_trigger_missing wardroom.notes'],
  },
  {
    name: 'an audit trigger without its transition table',
    as: 'owner',
    sql: `drop trigger audit_delete on wardroom.messages;
      create trigger audit_delete after delete on wardroom.messages
        for each statement execute function wardroom.audit_changes('message', 'id')`,
    expected: ['audit_trigger_missing wardroom.messages'],
  },
  {
    name: 'a disabled audit trigger',
    as: 'owner',
    sql: 'alter table wardroom.messages disable trigger audit_update',
    expected: ['audit_trigger_missing wardroom.messages'],
  },
  {
    name: 'an audit trigger that fires only in replica mode',
    as: 'owner',
    sql: 'alter table wardroom.messages enable replica trigger audit_insert',
    expected: ['audit_trigger_missing wardroom.messages'],
  },
  {
    name: 'ENABLE without FORCE',
    as: 'owner',
    sql: 'alter table wardroom.messages no force row level security',
    expected: ['rls_not_forced wardroom.messages'],
  },
  {
    name: 'a global_rls table without FORCE',
    as: 'owner',
    sql: 'alter table wardroom.users no force row level security',
    expected: ['rls_not_forced wardroom.users'],
  },
  {
    name: 'a tenant table whose tenant_id is nullable',
    as: 'owner',
    sql: GOOD_TABLE.replace(
      'tenant_id uuid not null, id uuid not null,',
      'tenant_id uuid, id uuid,',
    ).replace(', primary key (tenant_id, id)', ''),
    expected: ['tenant_id_missing wardroom.notes'],
  },
  {
    name: 'a permissive USING (true) policy for the app role',
    as: 'owner',
    sql: 'create policy peek on wardroom.messages for select to {app} using (true)',
    expected: ['policy_not_tenant_bound wardroom.messages'],
  },
  {
    name: 'a permissive policy for PUBLIC',
    as: 'owner',
    sql: 'create policy peek on wardroom.workrooms using (true)',
    expected: ['policy_not_tenant_bound wardroom.workrooms'],
  },
  {
    name: 'a policy that looks bound but ORs in true',
    as: 'owner',
    sql: `create policy peek on wardroom.conversations for select to {app} using ((${BOUND}) or true)`,
    expected: ['policy_not_tenant_bound wardroom.conversations'],
  },
  {
    name: 'a bound USING with WITH CHECK (true)',
    as: 'owner',
    sql: `drop policy tenant_isolation on wardroom.workrooms;
      create policy loose on wardroom.workrooms for all to {app} using (${BOUND}) with check (true)`,
    expected: ['policy_missing wardroom.workrooms', 'policy_not_tenant_bound wardroom.workrooms'],
  },
  {
    name: 'a table with a SELECT policy only',
    as: 'owner',
    sql: `drop policy tenant_isolation on wardroom.messages;
      create policy read on wardroom.messages for select to {app} using (${BOUND})`,
    expected: ['policy_missing wardroom.messages'],
  },
  {
    name: 'a USING (true) policy for a group the app role belongs to',
    as: 'admin',
    sql: `create role {grp}; grant {grp} to {app};
      set local role {owner}; create policy peek on wardroom.messages to {grp} using (true)`,
    expected: ['policy_not_tenant_bound wardroom.messages'],
  },
  {
    name: 'a single-column foreign key between tenant tables',
    as: 'owner',
    sql: `create unique index workrooms_id_key on wardroom.workrooms (id);
      alter table wardroom.messages add column workroom_id uuid references wardroom.workrooms (id)`,
    expected: [
      'foreign_key_without_tenant wardroom.messages',
      'unique_key_without_tenant wardroom.workrooms',
    ],
  },
  {
    name: 'a unique index not leading with tenant_id',
    as: 'owner',
    sql: 'create unique index messages_id_key on wardroom.messages (id, tenant_id)',
    expected: ['unique_key_without_tenant wardroom.messages'],
  },
  {
    name: 'a unique constraint without tenant_id',
    as: 'owner',
    sql: 'alter table wardroom.workrooms add constraint workrooms_name_key unique (name)',
    expected: ['unique_key_without_tenant wardroom.workrooms'],
  },
  {
    name: 'GRANT TRUNCATE to the app role',
    as: 'owner',
    sql: 'grant truncate on wardroom.messages to {app}',
    expected: ['app_role_truncate wardroom.messages'],
  },
  {
    name: 'a view without security_invoker',
    as: 'owner',
    sql: `create view wardroom.recent as select * from wardroom.messages;
      grant select on wardroom.recent to {app}`,
    expected: ['view_not_security_invoker wardroom.recent'],
  },
  {
    name: 'a materialized view the app can read',
    as: 'owner',
    sql: `create materialized view wardroom.snapshot as select * from wardroom.messages;
      grant select on wardroom.snapshot to {app}`,
    expected: ['materialized_view_app_access wardroom.snapshot'],
  },
  {
    name: 'a SECURITY DEFINER function without search_path',
    as: 'owner',
    sql: `create function wardroom.peek() returns bigint language sql security definer
        as 'select count(*) from wardroom.messages';
      revoke all on function wardroom.peek() from public`,
    expected: ['security_definer_without_search_path wardroom.peek()'],
  },
  {
    name: 'a SECURITY DEFINER function executable by PUBLIC',
    as: 'owner',
    sql: `create function wardroom.peek(t uuid) returns bigint language sql security definer
        set search_path = pg_catalog as 'select count(*) from wardroom.messages where tenant_id = t'`,
    expected: ['security_definer_public_execute wardroom.peek(uuid)'],
  },
  {
    name: 'a LEAKPROOF function',
    as: 'admin',
    sql: `create function wardroom.same(a uuid, b uuid) returns boolean language sql immutable leakproof
        set search_path = pg_catalog as 'select a = b';
      alter function wardroom.same(uuid, uuid) owner to {owner}`,
    expected: ['leakproof_function wardroom.same(uuid, uuid)'],
  },
  {
    name: 'ALTER ROLE app BYPASSRLS',
    as: 'admin',
    sql: 'alter role {app} bypassrls',
    expected: ['app_role_bypassrls {app}'],
  },
  {
    name: 'ALTER ROLE app SUPERUSER',
    as: 'admin',
    sql: 'alter role {app} superuser',
    expected: ['app_role_superuser {app}', 'app_role_truncate wardroom.messages'],
    partial: true,
  },
  {
    name: 'the app role owning a table',
    as: 'admin',
    sql: 'alter table wardroom.workrooms owner to {app}',
    expected: ['app_role_owns_object wardroom.workrooms', 'app_role_truncate wardroom.workrooms'],
  },
  {
    name: 'the app role owning a function',
    as: 'admin',
    sql: 'alter function wardroom.uuid_v7() owner to {app}',
    expected: ['app_role_owns_object wardroom.uuid_v7()'],
  },
  {
    name: 'the app role a member of the owner role',
    as: 'admin',
    sql: 'grant {owner} to {app}',
    expected: ['app_role_inherits_owner {app}'],
    partial: true,
  },
  {
    name: 'the app role may create in the schema',
    as: 'owner',
    sql: 'grant create on schema wardroom to {app}',
    expected: ['app_role_can_create wardroom'],
  },
  {
    name: 'the app role can read schema_migrations',
    as: 'owner',
    sql: 'grant select on wardroom.schema_migrations to {app}',
    expected: ['global_table_app_privilege wardroom.schema_migrations'],
  },
  {
    name: 'the app role can insert users directly',
    as: 'owner',
    sql: 'grant insert (email) on wardroom.users to {app}',
    expected: ['global_table_app_privilege wardroom.users'],
  },
  {
    name: 'a database without the wardroom schema',
    as: 'admin',
    sql: 'drop schema wardroom cascade',
    expected: ['schema_missing wardroom'],
  },
  {
    name: 'an allowlisted table that no longer exists',
    as: 'owner',
    sql: 'drop table wardroom.schema_migrations',
    expected: ['allowlist_stale wardroom.schema_migrations'],
  },
  {
    name: 'the ops role a member of the owner role',
    as: 'admin',
    sql: 'grant {owner} to {ops}',
    expected: ['ops_role_owns_object {ops}', 'owner_role_member {ops}'],
    partial: true,
  },
  {
    name: 'a login role other than the migrator a member of the owner role',
    as: 'admin',
    sql: 'create role {grp} login; grant {owner} to {grp}',
    expected: ['owner_role_member {grp}'],
  },
  {
    name: 'the ops role may set session_replication_role',
    as: 'admin',
    sql: 'grant set on parameter session_replication_role to {ops}',
    expected: ['ops_role_sets_replication_role {ops}'],
  },
  {
    name: 'PUBLIC may set session_replication_role',
    as: 'admin',
    sql: 'grant set on parameter session_replication_role to public',
    expected: ['ops_role_sets_replication_role {ops}'],
  },
  {
    name: 'the ops role owning a tenant table',
    as: 'admin',
    sql: 'alter table wardroom.workrooms owner to {ops}',
    expected: ['ops_role_owns_object {ops}'],
    partial: true,
  },
  {
    name: 'the ops role holding TRUNCATE or TRIGGER',
    as: 'owner',
    sql: 'grant truncate on wardroom.messages to {ops}; grant trigger on wardroom.workrooms to {ops}',
    expected: [
      'ops_role_table_privilege wardroom.messages',
      'ops_role_table_privilege wardroom.workrooms',
    ],
  },
  {
    name: 'the jobs role a superuser',
    as: 'admin',
    sql: 'alter role {jobs} superuser',
    expected: ['jobs_role_superuser {jobs}'],
    partial: true,
  },
  {
    name: 'the jobs role with BYPASSRLS',
    as: 'admin',
    sql: 'alter role {jobs} bypassrls',
    expected: ['jobs_role_bypassrls {jobs}'],
  },
  {
    name: 'the jobs role with CREATEROLE',
    as: 'admin',
    sql: 'alter role {jobs} createrole',
    expected: ['jobs_role_createrole {jobs}'],
  },
  {
    name: 'the jobs role with CREATEDB',
    as: 'admin',
    sql: 'alter role {jobs} createdb',
    expected: ['jobs_role_createdb {jobs}'],
  },
  {
    name: 'the jobs role a member of the owner role',
    as: 'admin',
    sql: 'grant {owner} to {jobs}',
    expected: ['jobs_role_member {jobs}', 'owner_role_member {jobs}'],
    partial: true,
  },
  {
    name: 'the jobs role a member of the app role',
    as: 'admin',
    sql: 'grant {app} to {jobs}',
    expected: ['jobs_role_member {jobs}', 'jobs_role_wardroom_privilege wardroom.messages'],
    partial: true,
  },
  {
    name: 'the jobs role a member of the ops role',
    as: 'admin',
    sql: 'grant {ops} to {jobs}',
    expected: ['jobs_role_member {jobs}'],
    partial: true,
  },
  {
    name: 'the jobs role a member of a role that owns objects',
    as: 'admin',
    sql: 'create role {grp} nologin; alter table wardroom_jobs.archive owner to {grp}; grant {grp} to {jobs}',
    expected: ['jobs_role_member {jobs}'],
  },
  {
    name: 'the jobs role owning a table of the queue',
    as: 'admin',
    sql: 'alter table wardroom_jobs.archive owner to {jobs}',
    expected: ['jobs_role_owns_object {jobs}'],
  },
  {
    name: 'the jobs role may create in the queue schema',
    as: 'admin',
    sql: 'grant create on schema wardroom_jobs to {jobs}',
    expected: ['jobs_role_can_create wardroom_jobs'],
  },
  {
    name: 'the jobs role can read a wardroom table',
    as: 'owner',
    sql: 'grant usage on schema wardroom to {jobs}; grant select on wardroom.messages to {jobs}',
    expected: [
      'jobs_role_wardroom_privilege wardroom',
      'jobs_role_wardroom_privilege wardroom.messages',
    ],
  },
  {
    name: 'PUBLIC can read a wardroom table',
    as: 'owner',
    sql: 'grant select on wardroom.workrooms to public',
    expected: ['jobs_role_wardroom_privilege wardroom.workrooms'],
    partial: true,
  },
  {
    name: 'the jobs role missing',
    as: 'admin',
    sql: 'drop owned by {jobs}; drop role {jobs}',
    expected: ['jobs_role_missing {jobs}'],
  },
  {
    name: 'the app role can reach the job queue',
    as: 'admin',
    sql: 'grant usage on schema wardroom_jobs to {app}; grant select on wardroom_jobs.job to {app}',
    expected: ['app_role_jobs_access wardroom_jobs', 'app_role_jobs_access wardroom_jobs.job'],
  },
  {
    name: 'PUBLIC may use the job queue schema',
    as: 'admin',
    sql: 'grant usage on schema wardroom_jobs to public',
    expected: ['app_role_jobs_access wardroom_jobs'],
  },
  {
    name: 'the ops role a superuser',
    as: 'admin',
    sql: 'alter role {ops} superuser',
    expected: ['ops_role_superuser {ops}', 'ops_role_sets_replication_role {ops}'],
    partial: true,
  },
];

let tdb: TestDatabase;
let admin: pg.Client;

beforeAll(async () => {
  tdb = await createTestDatabase(inject('clusterUrl'));
  admin = new pg.Client({ connectionString: tdb.adminUrl });
  await admin.connect();
});

afterAll(async () => {
  await admin.end();
  await dropTestDatabase(inject('clusterUrl'), tdb);
});

function fill(text: string): string {
  return text
    .replaceAll('{app}', quoteIdent(tdb.roles.app))
    .replaceAll('{owner}', quoteIdent(tdb.roles.owner))
    .replaceAll('{ops}', quoteIdent(tdb.roles.ops))
    .replaceAll('{jobs}', quoteIdent(tdb.roles.jobs))
    .replaceAll('{grp}', quoteIdent(`${tdb.rolePrefix}readers`));
}

/** Applies `sql` in a transaction, runs the check inside it, and rolls back. */
async function findingsAfter(as: 'owner' | 'admin', text: string): Promise<CheckFinding[]> {
  await admin.query('begin');
  try {
    if (as === 'owner') await admin.query(`set local role ${quoteIdent(tdb.roles.owner)}`);
    await admin.query(fill(text));
    await admin.query('reset role');
    return await checkDatabase(admin, tdb.roles);
  } finally {
    await admin.query('rollback');
  }
}

const keys = (findings: CheckFinding[]) =>
  [...new Set(findings.map((f) => `${f.rule} ${f.object}`))].sort();

describe('checkDatabase', () => {
  it('passes the schema the migrations produce', async () => {
    expect(await checkDatabase(admin, tdb.roles)).toEqual([]);
  });

  it('passes a well-formed new tenant table and a security_invoker view', async () => {
    const sql = `${GOOD_TABLE}; create view wardroom.v with (security_invoker = true) as
      select * from wardroom.notes; grant select on wardroom.v to {app}`;
    expect(await findingsAfter('owner', sql)).toEqual([]);
  });

  it.each(cases)('reports $name', async ({ as, sql, expected, partial }) => {
    const found = await findingsAfter(as, sql);
    const want = expected.map(fill).map((k) => k.replaceAll('"', ''));
    if (partial === true) expect(keys(found)).toEqual(expect.arrayContaining(want));
    else expect(keys(found)).toEqual([...want].sort());
    for (const f of found) expect(f.message.length).toBeGreaterThan(10);
  });

  it('fails after the real migration runner applies a migration with an unprotected table', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-bad-migrations-'));
    const bad = await createTestDatabase(inject('clusterUrl'), { migrate: false });
    try {
      const real = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
      for (const f of real) await copyFile(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
      await writeFile(
        path.join(dir, '999_bad.sql'),
        `-- Up Migration
CREATE TABLE wardroom.invoices (tenant_id uuid NOT NULL, id uuid NOT NULL, PRIMARY KEY (tenant_id, id));
GRANT SELECT, INSERT ON wardroom.invoices TO wardroom_app;
`,
      );
      const ran = await migrate({
        adminUrl: bad.adminUrl,
        roles: bad.roles,
        appPassword: bad.appPassword,
        dir,
      });
      expect(ran).toEqual([...real.map((f) => f.replace(/\.sql$/, '')), '999_bad']);
      const client = new pg.Client({ connectionString: bad.adminUrl });
      await client.connect();
      try {
        const found = await checkDatabase(client, bad.roles);
        expect(keys(found)).toEqual([
          'audit_trigger_missing wardroom.invoices',
          'policy_missing wardroom.invoices',
          'rls_not_enabled wardroom.invoices',
          'rls_not_forced wardroom.invoices',
        ]);
      } finally {
        await client.end();
      }
    } finally {
      await dropTestDatabase(inject('clusterUrl'), bad);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

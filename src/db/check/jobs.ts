/**
 * `wardroom db check`, the job queue's login and schema (db/jobs.ts): the
 * jobs role carries pg-boss as the running server, so it must hold no more
 * than pg-boss's tables, and the app role nothing of them.
 *
 * - the jobs role exists (`jobs_role_missing`) and is not a superuser
 *   (`jobs_role_superuser`), has no BYPASSRLS, CREATEROLE or CREATEDB
 *   (`jobs_role_bypassrls`, `jobs_role_createrole`, `jobs_role_createdb`);
 * - it is not a member, directly or through another role, of the owner,
 *   app or ops role, nor of any role that owns objects here (it could SET
 *   ROLE to it): `jobs_role_member`; and owns nothing (`jobs_role_owns_object`);
 * - it may CREATE in no schema nor in the database (`jobs_role_can_create`:
 *   pg-boss's DDL runs in `migrate`, as the administrator);
 * - it holds no privilege on schema `wardroom` nor on any table or sequence
 *   in it (`jobs_role_wardroom_privilege`);
 * - the app role may not use the job queue's schema nor touch its tables
 *   (`app_role_jobs_access`): job rows are outside RLS.
 */
import type { RoleNames } from '../roles.js';
import { CAN_CREATE_SQL, SCHEMA, type AddFinding, type Query } from './shared.js';

interface JobsRole {
  readonly oid: number;
  readonly super: boolean;
  readonly bypass: boolean;
  readonly createrole: boolean;
  readonly createdb: boolean;
}

export async function checkJobs(
  q: Query,
  roles: RoleNames,
  jobsSchema: string,
  add: AddFinding,
): Promise<void> {
  await checkAppJobsAccess(q, roles.app, jobsSchema, add);
  const [jobs] = await q<JobsRole>(
    `select oid::int8::float8 as oid, rolsuper as super, rolbypassrls as bypass,
            rolcreaterole as createrole, rolcreatedb as createdb
       from pg_roles where rolname = $1`,
    [roles.jobs],
  );
  const name = roles.jobs;
  if (jobs === undefined) {
    add('jobs_role_missing', name, `jobs role ${name} does not exist`);
    return;
  }
  if (jobs.super) add('jobs_role_superuser', name, `${name} is a superuser`);
  if (jobs.bypass) add('jobs_role_bypassrls', name, `${name} has BYPASSRLS`);
  if (jobs.createrole) add('jobs_role_createrole', name, `${name} has CREATEROLE`);
  if (jobs.createdb) add('jobs_role_createdb', name, `${name} has CREATEDB`);
  await checkJobsMembership(q, roles, jobs.oid, add);
  await checkJobsReach(q, name, jobs.oid, add);
}

/** `jobs_role_member`, `jobs_role_owns_object`. */
async function checkJobsMembership(
  q: Query,
  roles: RoleNames,
  oid: number,
  add: AddFinding,
): Promise<void> {
  const found = await q<{ kind: string; name: string }>(
    `with owning as (
       select r.oid from pg_roles r
        where exists (select 1 from pg_shdepend d where d.refobjid = r.oid and d.deptype = 'o'
                        and d.dbid = (select oid from pg_database where datname = current_database()))
           or exists (select 1 from pg_database where datname = current_database() and datdba = r.oid))
     select case when r.oid = $1::oid then 'owns' else 'member' end as kind, r.rolname as name
       from pg_roles r
      where pg_has_role($1::oid, r.oid, 'MEMBER')
        and (r.oid <> $1::oid and r.rolname = any ($2::text[]) or r.oid in (select oid from owning))
      order by 1, 2`,
    [oid, [roles.owner, roles.app, roles.ops]],
  );
  for (const f of found) {
    if (f.kind === 'owns') {
      add('jobs_role_owns_object', roles.jobs, `${roles.jobs} owns objects in this database`);
    } else {
      add(
        'jobs_role_member',
        roles.jobs,
        `${roles.jobs} is a member of ${f.name} (it could SET ROLE to it and act with its rights)`,
      );
    }
  }
}

/** `jobs_role_can_create`, `jobs_role_wardroom_privilege`. */
async function checkJobsReach(q: Query, name: string, oid: number, add: AddFinding): Promise<void> {
  const reach = await q<{ kind: string; object: string }>(
    `${CAN_CREATE_SQL}
     union all
     select 'wardroom', quote_ident(nspname) from pg_namespace
      where nspname = $2 and has_schema_privilege($1::oid, oid, 'USAGE')
     union all
     select 'wardroom', format('%I.%I', n.nspname, c.relname)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $2 and case
        when c.relkind = 'S' then has_sequence_privilege($1::oid, c.oid, 'USAGE, SELECT, UPDATE')
        when c.relkind in ('r', 'p', 'v', 'm', 'f') then
          has_table_privilege($1::oid, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
          or has_any_column_privilege($1::oid, c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
        else false end
     order by 1, 2`,
    [oid, SCHEMA],
  );
  for (const r of reach) {
    if (r.kind === 'create') {
      add('jobs_role_can_create', r.object, `${name} may CREATE in ${r.object}`);
    } else {
      add(
        'jobs_role_wardroom_privilege',
        r.object,
        `${name} holds a privilege on ${r.object}: the job queue's login reaches nothing of ${SCHEMA}`,
      );
    }
  }
}

/** `app_role_jobs_access`: USAGE or CREATE on the job queue's schema, or any right on its tables. */
async function checkAppJobsAccess(
  q: Query,
  app: string,
  jobsSchema: string,
  add: AddFinding,
): Promise<void> {
  const reach = await q<{ object: string }>(
    `select quote_ident(n.nspname) as object from pg_namespace n, pg_roles r
      where n.nspname = $2 and r.rolname = $1 and has_schema_privilege(r.oid, n.oid, 'USAGE, CREATE')
     union all
     select format('%I.%I', n.nspname, c.relname)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace, pg_roles r
      where n.nspname = $2 and r.rolname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'S')
        and case when c.relkind = 'S'
                 then has_sequence_privilege(r.oid, c.oid, 'USAGE, SELECT, UPDATE')
                 else has_table_privilege(r.oid, c.oid,
                        'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') end
     order by 1`,
    [app, jobsSchema],
  );
  for (const r of reach) {
    add(
      'app_role_jobs_access',
      r.object,
      `${app} may reach ${r.object} of the job queue, whose rows have no RLS`,
    );
  }
}

/**
 * `wardroom db check`, the app role's reach: it owns nothing in the database
 * (nor is a member of a role that does), cannot TRUNCATE or CREATE anywhere,
 * cannot read a materialized view in `wardroom` (they have no RLS), and holds
 * on each allowlisted global table no more than global-tables.ts allows.
 * Before all that, the role exists and is neither superuser nor BYPASSRLS.
 */
import { GLOBAL_TABLES, globalTable } from '../global-tables.js';
import {
  CAN_CREATE_SQL,
  FUNCTION_NAME,
  SCHEMA,
  type AddFinding,
  type AppRole,
  type Query,
} from './shared.js';

/**
 * `app_role_missing`, `app_role_superuser`, `app_role_bypassrls`. Returns the
 * role, or undefined when it does not exist (then nothing that depends on
 * it can be checked).
 */
export async function checkAppRoleAttributes(
  q: Query,
  name: string,
  add: AddFinding,
): Promise<AppRole | undefined> {
  const [app] = await q<{ oid: number; super: boolean; bypass: boolean }>(
    `select oid::int8::float8 as oid, rolsuper as super, rolbypassrls as bypass
       from pg_roles where rolname = $1`,
    [name],
  );
  if (app === undefined) {
    add('app_role_missing', name, `app role ${name} does not exist`);
    return undefined;
  }
  if (app.super) add('app_role_superuser', name, `${name} is a superuser`);
  if (app.bypass) add('app_role_bypassrls', name, `${name} has BYPASSRLS`);
  return { name, oid: app.oid };
}

/** The app role's reach, once it exists (see the file comment). */
export async function checkAppRole(q: Query, app: AppRole, add: AddFinding): Promise<void> {
  await checkOwnedObjects(q, app, add);
  await checkOwningRoles(q, app, add);
  await checkReach(q, app, add);
  await checkGlobalTablePrivileges(q, app, add);
}

/** `app_role_owns_object`: objects in this database, or the database itself. */
async function checkOwnedObjects(q: Query, app: AppRole, add: AddFinding): Promise<void> {
  const owned = await q<{ type: string; identity: string }>(
    `select o.type, coalesce((select ${FUNCTION_NAME} from pg_proc p
                                where d.classid = 'pg_proc'::regclass and p.oid = d.objid),
                              o.identity) as identity
       from pg_shdepend d, pg_identify_object(d.classid, d.objid, d.objsubid) o
      where d.refclassid = 'pg_authid'::regclass and d.refobjid = $1::oid and d.deptype = 'o'
        and d.dbid = (select oid from pg_database where datname = current_database())
     union all
     select 'database', quote_ident(datname) from pg_database
      where datname = current_database() and datdba = $1::oid
     order by 2`,
    [app.oid],
  );
  for (const o of owned) {
    add('app_role_owns_object', o.identity, `${app.name} owns ${o.type} ${o.identity}`);
  }
}

/** `app_role_inherits_owner`: roles it is a member of that own objects here. */
async function checkOwningRoles(q: Query, app: AppRole, add: AddFinding): Promise<void> {
  const owners = await q<{ name: string }>(
    `select r.rolname as name from pg_roles r
      where r.oid <> $1::oid and pg_has_role($1::oid, r.oid, 'MEMBER')
        and (exists (select 1 from pg_shdepend d where d.refobjid = r.oid and d.deptype = 'o'
                       and d.dbid = (select oid from pg_database where datname = current_database()))
             or exists (select 1 from pg_database where datname = current_database() and datdba = r.oid))
      order by 1`,
    [app.oid],
  );
  for (const o of owners) {
    add(
      'app_role_inherits_owner',
      app.name,
      `${app.name} is a member of ${o.name}, which owns objects`,
    );
  }
}

/** `app_role_truncate`, `app_role_can_create`, `materialized_view_app_access`. */
async function checkReach(q: Query, app: AppRole, add: AddFinding): Promise<void> {
  const reach = await q<{ kind: string; object: string }>(
    `${CAN_CREATE_SQL}
     union all
     select 'truncate', format('%I.%I', n.nspname, c.relname)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
        and has_table_privilege($1::oid, c.oid, 'TRUNCATE')
     union all
     select 'matview', format('%I.%I', n.nspname, c.relname)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'm' and n.nspname = $2 and has_table_privilege($1::oid, c.oid, 'SELECT')
     order by 1, 2`,
    [app.oid, SCHEMA],
  );
  for (const r of reach) {
    if (r.kind === 'truncate') {
      add('app_role_truncate', r.object, `${app.name} holds TRUNCATE on ${r.object}`);
    } else if (r.kind === 'create') {
      add('app_role_can_create', r.object, `${app.name} may CREATE in ${r.object}`);
    } else {
      add(
        'materialized_view_app_access',
        r.object,
        `${app.name} can read ${r.object}, which has no RLS`,
      );
    }
  }
}

/** `global_table_app_privilege`: no more than global-tables.ts allows, and no sequence. */
async function checkGlobalTablePrivileges(q: Query, app: AppRole, add: AddFinding): Promise<void> {
  const globals = await q<{ name: string; privs: string[]; seqs: string[] }>(
    `select c.relname as name,
            array(select p from unnest(array['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) p
                   where has_any_column_privilege($1::oid, c.oid, p)
                  union all
                  select p from unnest(array['DELETE', 'TRUNCATE', 'TRIGGER']) p
                   where has_table_privilege($1::oid, c.oid, p)) as privs,
            array(select s.relname::text from pg_depend d join pg_class s on s.oid = d.objid
                   where d.refobjid = c.oid and d.classid = 'pg_class'::regclass
                     and case when s.relkind = 'S'
                              then has_sequence_privilege($1::oid, s.oid, 'USAGE, SELECT, UPDATE')
                              else false end) as seqs
       from pg_class c where c.relnamespace = $2::regnamespace and c.relkind in ('r', 'p')
        and c.relname = any ($3::text[]) order by 1`,
    [app.oid, SCHEMA, GLOBAL_TABLES.map((g) => g.name)],
  );
  for (const g of globals) {
    const allowed: readonly string[] = globalTable(g.name)?.appPrivileges ?? [];
    const extra = [
      ...g.privs.filter((p) => !allowed.includes(p)),
      ...g.seqs.map((s) => `sequence ${s}`),
    ];
    if (extra.length > 0) {
      add(
        'global_table_app_privilege',
        `${SCHEMA}.${g.name}`,
        `${app.name} holds ${extra.join(', ')} on allowlisted ${SCHEMA}.${g.name} (allowed: ${allowed.join(', ') || 'none'})`,
      );
    }
  }
}

/**
 * `wardroom db check`, who can write history in someone else's name (see
 * docs/audit.md, "Trust root"):
 *
 * - `owner_role_member`: no role but the one running the check (the
 *   migrator) and superusers is a member of the owner role, directly or
 *   through another role. A member can disable the audit triggers, replace
 *   their functions or insert past the stamp.
 * - the ops role (`wardroom ops psql`) exists (`ops_role_missing`), is not a
 *   superuser and has no BYPASSRLS (`ops_role_superuser`,
 *   `ops_role_bypassrls`); cannot SET session_replication_role, which turns
 *   triggers off (`ops_role_sets_replication_role`: PostgreSQL 15 allows it
 *   to superusers only, unless GRANT SET ON PARAMETER reached the role or
 *   PUBLIC); owns nothing in the database, nor is a member of a role that
 *   does, so it cannot ALTER TABLE ... DISABLE TRIGGER (`ops_role_owns_object`);
 *   and holds neither TRUNCATE (which fires no delete trigger) nor TRIGGER
 *   on any table (`ops_role_table_privilege`).
 */
import type { RoleNames } from '../roles.js';
import type { AddFinding, Query } from './shared.js';

export async function checkOperators(q: Query, roles: RoleNames, add: AddFinding): Promise<void> {
  await checkOwnerMembers(q, roles.owner, add);
  const [ops] = await q<{ oid: number; super: boolean; bypass: boolean }>(
    `select oid::int8::float8 as oid, rolsuper as super, rolbypassrls as bypass
       from pg_roles where rolname = $1`,
    [roles.ops],
  );
  if (ops === undefined) {
    add('ops_role_missing', roles.ops, `ops role ${roles.ops} does not exist`);
    return;
  }
  if (ops.super) add('ops_role_superuser', roles.ops, `${roles.ops} is a superuser`);
  if (ops.bypass) add('ops_role_bypassrls', roles.ops, `${roles.ops} has BYPASSRLS`);
  await checkOpsReach(q, roles.ops, ops.oid, add);
}

async function checkOwnerMembers(q: Query, owner: string, add: AddFinding): Promise<void> {
  const members = await q<{ name: string }>(
    `select r.rolname as name from pg_roles r, pg_roles o
      where o.rolname = $1 and r.oid <> o.oid and r.rolname <> current_user and not r.rolsuper
        and pg_has_role(r.oid, o.oid, 'MEMBER')
      order by 1`,
    [owner],
  );
  for (const m of members) {
    add(
      'owner_role_member',
      m.name,
      `${m.name} is a member of the owner role ${owner}: it could disable audit triggers or forge events`,
    );
  }
}

async function checkOpsReach(q: Query, ops: string, oid: number, add: AddFinding): Promise<void> {
  const reach = await q<{ kind: string; name: string }>(
    `select 'param' as kind, 'session_replication_role' as name
      where has_parameter_privilege($1::oid, 'session_replication_role', 'SET')
     union all
     select 'owner', r.rolname from pg_roles r
      where pg_has_role($1::oid, r.oid, 'MEMBER')
        and (exists (select 1 from pg_shdepend d where d.refobjid = r.oid and d.deptype = 'o'
                       and d.dbid = (select oid from pg_database where datname = current_database()))
             or exists (select 1 from pg_database where datname = current_database() and datdba = r.oid))
     union all
     select 'table', format('%I.%I', n.nspname, c.relname)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname !~ '^pg_' and n.nspname <> 'information_schema'
        and has_table_privilege($1::oid, c.oid, 'TRUNCATE, TRIGGER')
     order by 1, 2`,
    [oid],
  );
  for (const r of reach) {
    if (r.kind === 'param') {
      add(
        'ops_role_sets_replication_role',
        ops,
        `${ops} may SET session_replication_role, which silences the audit triggers`,
      );
    } else if (r.kind === 'owner') {
      add(
        'ops_role_owns_object',
        ops,
        `${ops} is or is a member of ${r.name}, which owns objects here (it could disable triggers)`,
      );
    } else {
      add('ops_role_table_privilege', r.name, `${ops} holds TRUNCATE or TRIGGER on ${r.name}`);
    }
  }
}

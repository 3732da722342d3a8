/**
 * `wardroom db check`: proves invariant 1 (tenant isolation in the database)
 * against the live catalog, naming every table, view, function or role that
 * breaks it. An empty result means the database passes.
 *
 * Tenant tables are every table in schema `wardroom` not on the allowlist in
 * global-tables.ts. What counts as a policy bound to the tenant setting is
 * defined in check/tenant-bound.ts.
 */
import pg from 'pg';
import { checkAuditTriggers } from './check/audit.js';
import { checkAppRole } from './check/role.js';
import {
  FUNCTION_NAME,
  queryOn,
  SCHEMA,
  type AddFinding,
  type CheckFinding,
} from './check/shared.js';
import { isTenantBound } from './check/tenant-bound.js';
import { GLOBAL_TABLES, globalTable } from './global-tables.js';
import type { RoleNames } from './roles.js';

export type { AddFinding, CheckFinding } from './check/shared.js';

interface TableRow {
  name: string;
  rls: boolean;
  force: boolean;
  tenant_type: string | null;
  tenant_not_null: boolean | null;
}

interface PolicyRow {
  tbl: string;
  name: string;
  cmd: string;
  permissive: boolean;
  qual: string | null;
  check: string | null;
  applies: boolean;
}

const COMMANDS = [
  { cmd: 'SELECT', code: 'r', using: true, check: false },
  { cmd: 'INSERT', code: 'a', using: false, check: true },
  { cmd: 'UPDATE', code: 'w', using: true, check: true },
  { cmd: 'DELETE', code: 'd', using: true, check: false },
] as const;

export async function checkDatabase(
  client: pg.ClientBase,
  roles: RoleNames,
): Promise<CheckFinding[]> {
  const findings: CheckFinding[] = [];
  const add: AddFinding = (rule, object, message) => {
    findings.push({ rule, object, message });
  };
  const q = queryOn(client);

  const schema = await q(`select 1 from pg_namespace where nspname = $1`, [SCHEMA]);
  if (schema.length === 0) {
    add('schema_missing', SCHEMA, `schema ${SCHEMA} does not exist (run the migrations)`);
    return findings;
  }

  const tables = await q<TableRow>(
    `select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as force,
            format_type(a.atttypid, a.atttypmod) as tenant_type, a.attnotnull as tenant_not_null
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
      where n.nspname = $1 and c.relkind in ('r', 'p') order by c.relname`,
    [SCHEMA],
  );
  const isTenant = (name: string): boolean => globalTable(name) === undefined;
  const tenantTables = new Set(tables.filter((t) => isTenant(t.name)).map((t) => t.name));

  for (const t of tables) {
    const object = `${SCHEMA}.${t.name}`;
    if (globalTable(t.name)?.mode === 'no_app_access') continue;
    if (!t.rls) add('rls_not_enabled', object, `${object} does not ENABLE row level security`);
    if (!t.force) add('rls_not_forced', object, `${object} does not FORCE row level security`);
    if (!isTenant(t.name)) continue;
    if (t.tenant_type !== 'uuid' || t.tenant_not_null !== true) {
      add('tenant_id_missing', object, `${object} lacks a "tenant_id uuid not null" column`);
    }
  }
  for (const g of GLOBAL_TABLES) {
    if (!tables.some((t) => t.name === g.name)) {
      add('allowlist_stale', `${SCHEMA}.${g.name}`, `allowlisted ${g.name} does not exist`);
    }
  }

  const uniques = await q<{ tbl: string; idx: string; leads: boolean }>(
    `select c.relname as tbl, i.relname as idx, coalesce(x.indkey[0] = a.attnum, false) as leads
       from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
      where n.nspname = $1 and x.indisunique order by 1, 2`,
    [SCHEMA],
  );
  for (const u of uniques) {
    if (tenantTables.has(u.tbl) && !u.leads) {
      add(
        'unique_key_without_tenant',
        `${SCHEMA}.${u.tbl}`,
        `unique index ${u.idx} on ${SCHEMA}.${u.tbl} does not lead with tenant_id`,
      );
    }
  }

  const fks = await q<{ tbl: string; ref: string; name: string; has_tenant: boolean }>(
    `select c.relname as tbl, f.relname as ref, k.conname as name,
            exists (select 1 from unnest(k.conkey, k.confkey) as u(a, b)
                     where a = ca.attnum and b = fa.attnum) as has_tenant
       from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_class f on f.oid = k.confrelid
       left join pg_attribute ca on ca.attrelid = c.oid and ca.attname = 'tenant_id' and not ca.attisdropped
       left join pg_attribute fa on fa.attrelid = f.oid and fa.attname = 'tenant_id' and not fa.attisdropped
      where k.contype = 'f' and c.relnamespace = $1::regnamespace
        and f.relnamespace = $1::regnamespace order by 1, 3`,
    [SCHEMA],
  );
  for (const fk of fks) {
    if (tenantTables.has(fk.tbl) && tenantTables.has(fk.ref) && !fk.has_tenant) {
      add(
        'foreign_key_without_tenant',
        `${SCHEMA}.${fk.tbl}`,
        `foreign key ${fk.name} from ${SCHEMA}.${fk.tbl} to ${SCHEMA}.${fk.ref} does not map tenant_id to tenant_id`,
      );
    }
  }

  await checkAuditTriggers(q, tenantTables, add);

  const functions = await q<{
    name: string;
    definer: boolean;
    leakproof: boolean;
    fixed_path: boolean;
    public_exec: boolean;
  }>(
    `select ${FUNCTION_NAME} as name,
            p.prosecdef as definer, p.proleakproof as leakproof,
            exists (select 1 from unnest(coalesce(p.proconfig, '{}')) s
                     where s like 'search_path=%') as fixed_path,
            exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                     where a.grantee = 0 and a.privilege_type = 'EXECUTE') as public_exec
       from pg_proc p where p.pronamespace = $1::regnamespace order by 1`,
    [SCHEMA],
  );
  for (const f of functions) {
    if (f.leakproof) add('leakproof_function', f.name, `${f.name} is marked LEAKPROOF`);
    if (!f.definer) continue;
    if (!f.fixed_path) {
      add(
        'security_definer_without_search_path',
        f.name,
        `SECURITY DEFINER ${f.name} has no SET search_path`,
      );
    }
    if (f.public_exec) {
      add(
        'security_definer_public_execute',
        f.name,
        `SECURITY DEFINER ${f.name} is executable by PUBLIC`,
      );
    }
  }

  const views = await q<{ name: string; kind: string; invoker: boolean }>(
    `select format('%I.%I', $1::text, c.relname) as name, c.relkind as kind,
            coalesce((select o.option_value::boolean from pg_options_to_table(c.reloptions) o
                       where o.option_name = 'security_invoker'), false) as invoker
       from pg_class c where c.relnamespace = $1::regnamespace and c.relkind = 'v' order by 1`,
    [SCHEMA],
  );
  for (const v of views) {
    if (!v.invoker) {
      add('view_not_security_invoker', v.name, `view ${v.name} lacks security_invoker=true`);
    }
  }

  const app = (
    await q<{ oid: number; super: boolean; bypass: boolean }>(
      `select oid::int8::float8 as oid, rolsuper as super, rolbypassrls as bypass
       from pg_roles where rolname = $1`,
      [roles.app],
    )
  )[0];
  if (app === undefined) {
    add('app_role_missing', roles.app, `app role ${roles.app} does not exist`);
    return sortFindings(findings);
  }
  const appRole = roles.app;
  if (app.super) add('app_role_superuser', appRole, `${appRole} is a superuser`);
  if (app.bypass) add('app_role_bypassrls', appRole, `${appRole} has BYPASSRLS`);

  const policies = await q<PolicyRow>(
    `select c.relname as tbl, p.polname as name, p.polcmd as cmd, p.polpermissive as permissive,
            pg_get_expr(p.polqual, p.polrelid) as qual, pg_get_expr(p.polwithcheck, p.polrelid) as check,
            (0::oid = any (p.polroles) or exists (select 1 from unnest(p.polroles) r
                                                  where pg_has_role($2::oid, r, 'USAGE'))) as applies
       from pg_policy p join pg_class c on c.oid = p.polrelid
      where c.relnamespace = $1::regnamespace order by 1, 2`,
    [SCHEMA, app.oid],
  );
  for (const table of tenantTables) {
    const object = `${SCHEMA}.${table}`;
    const mine = policies.filter((p) => p.tbl === table && p.applies);
    for (const c of COMMANDS) {
      const ok = mine.some(
        (p) =>
          (p.cmd === c.code || p.cmd === '*') &&
          (!c.using || isTenantBound(p.qual)) &&
          (!c.check || isTenantBound(p.check ?? p.qual)),
      );
      if (!ok) {
        add(
          'policy_missing',
          object,
          `${object} has no tenant-bound ${c.cmd} policy for ${appRole}`,
        );
      }
    }
    for (const p of mine) {
      const bound =
        (p.qual === null || isTenantBound(p.qual)) && (p.check === null || isTenantBound(p.check));
      if (p.permissive && !bound) {
        add(
          'policy_not_tenant_bound',
          object,
          `permissive policy ${p.name} on ${object} applies to ${appRole} but is not bound to wardroom.tenant_id`,
        );
      }
    }
  }

  await checkAppRole(client, { name: roles.app, oid: app.oid }, add);
  return sortFindings(findings);
}

function sortFindings(findings: CheckFinding[]): CheckFinding[] {
  return findings.sort(
    (a, b) =>
      a.object.localeCompare(b.object) ||
      a.rule.localeCompare(b.rule) ||
      a.message.localeCompare(b.message),
  );
}

/** Runs the check over a connection of its own to `adminUrl` (the CLI's `db check`). */
export async function checkDatabaseAt(adminUrl: string, roles: RoleNames): Promise<CheckFinding[]> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await checkDatabase(client, roles);
  } finally {
    await client.end();
  }
}

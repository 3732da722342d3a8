/**
 * `db check` rules on the row level security policies of tenant tables, as
 * they apply to the app role: each command (SELECT, INSERT, UPDATE, DELETE)
 * is covered by a tenant-bound policy, and no permissive policy is unbound
 * (permissive policies are OR-ed, so one unbound policy opens the table).
 * What counts as tenant-bound is defined in tenant-bound.ts.
 */
import { SCHEMA, type AddFinding, type AppRole, type Query } from './shared.js';
import { isTenantBound } from './tenant-bound.js';

interface PolicyRow {
  readonly tbl: string;
  readonly name: string;
  readonly cmd: string;
  readonly permissive: boolean;
  readonly qual: string | null;
  readonly check: string | null;
  /** Whether the policy applies to the app role. */
  readonly applies: boolean;
}

/** pg_policy.polcmd codes, and which expressions each command is filtered by. */
const COMMANDS = [
  { cmd: 'SELECT', code: 'r', using: true, check: false },
  { cmd: 'INSERT', code: 'a', using: false, check: true },
  { cmd: 'UPDATE', code: 'w', using: true, check: true },
  { cmd: 'DELETE', code: 'd', using: true, check: false },
] as const;

/** `policy_missing`, `policy_not_tenant_bound`. */
export async function checkPolicies(
  q: Query,
  tenantTables: ReadonlySet<string>,
  app: AppRole,
  add: AddFinding,
): Promise<void> {
  const policies = await loadPolicies(q, app);
  for (const table of tenantTables) {
    const mine = policies.filter((p) => p.tbl === table && p.applies);
    checkCommandsCovered(table, mine, app, add);
    checkPermissiveBound(table, mine, app, add);
  }
}

async function loadPolicies(q: Query, app: AppRole): Promise<PolicyRow[]> {
  return q<PolicyRow>(
    `select c.relname as tbl, p.polname as name, p.polcmd as cmd, p.polpermissive as permissive,
            pg_get_expr(p.polqual, p.polrelid) as qual, pg_get_expr(p.polwithcheck, p.polrelid) as check,
            (0::oid = any (p.polroles) or exists (select 1 from unnest(p.polroles) r
                                                  where pg_has_role($2::oid, r, 'USAGE'))) as applies
       from pg_policy p join pg_class c on c.oid = p.polrelid
      where c.relnamespace = $1::regnamespace order by 1, 2`,
    [SCHEMA, app.oid],
  );
}

/** `policy_missing`: each command has a policy whose expressions are tenant-bound. */
function checkCommandsCovered(
  table: string,
  policies: readonly PolicyRow[],
  app: AppRole,
  add: AddFinding,
): void {
  const object = `${SCHEMA}.${table}`;
  for (const c of COMMANDS) {
    const ok = policies.some(
      (p) =>
        (p.cmd === c.code || p.cmd === '*') &&
        (!c.using || isTenantBound(p.qual)) &&
        (!c.check || isTenantBound(p.check ?? p.qual)),
    );
    if (!ok) {
      add(
        'policy_missing',
        object,
        `${object} has no tenant-bound ${c.cmd} policy for ${app.name}`,
      );
    }
  }
}

/** `policy_not_tenant_bound`: every expression of a permissive policy is tenant-bound. */
function checkPermissiveBound(
  table: string,
  policies: readonly PolicyRow[],
  app: AppRole,
  add: AddFinding,
): void {
  const object = `${SCHEMA}.${table}`;
  for (const p of policies) {
    const bound =
      (p.qual === null || isTenantBound(p.qual)) && (p.check === null || isTenantBound(p.check));
    if (p.permissive && !bound) {
      add(
        'policy_not_tenant_bound',
        object,
        `permissive policy ${p.name} on ${object} applies to ${app.name} but is not bound to wardroom.tenant_id`,
      );
    }
  }
}

/**
 * `db check` rules on the tables of schema `wardroom`: the schema exists,
 * every table the app may reach has row level security enabled and forced,
 * every tenant table has a `tenant_id uuid not null` column, and every table
 * on the allowlist (global-tables.ts) exists. Tenant tables are the tables
 * not on that allowlist.
 */
import { GLOBAL_TABLES, globalTable } from '../global-tables.js';
import { SCHEMA, type AddFinding, type Query } from './shared.js';

export interface TableRow {
  readonly name: string;
  readonly rls: boolean;
  readonly force: boolean;
  readonly tenant_type: string | null;
  readonly tenant_not_null: boolean | null;
}

/** Whether schema `wardroom` exists (`schema_missing` if not: nothing else can be checked). */
export async function checkSchemaExists(q: Query, add: AddFinding): Promise<boolean> {
  const schema = await q(`select 1 from pg_namespace where nspname = $1`, [SCHEMA]);
  if (schema.length > 0) return true;
  add('schema_missing', SCHEMA, `schema ${SCHEMA} does not exist (run the migrations)`);
  return false;
}

/** The ordinary and partitioned tables in the schema, with their RLS flags and tenant_id column. */
export async function loadTables(q: Query): Promise<TableRow[]> {
  return q<TableRow>(
    `select c.relname as name, c.relrowsecurity as rls, c.relforcerowsecurity as force,
            format_type(a.atttypid, a.atttypmod) as tenant_type, a.attnotnull as tenant_not_null
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       left join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
      where n.nspname = $1 and c.relkind in ('r', 'p') order by c.relname`,
    [SCHEMA],
  );
}

function isTenantTable(name: string): boolean {
  return globalTable(name) === undefined;
}

/** The names of the tenant tables among `tables`. */
export function tenantTableNames(tables: readonly TableRow[]): Set<string> {
  return new Set(tables.filter((t) => isTenantTable(t.name)).map((t) => t.name));
}

/** `rls_not_enabled`, `rls_not_forced`: all but the tables the app has no access to at all. */
export function checkRowLevelSecurity(tables: readonly TableRow[], add: AddFinding): void {
  for (const t of tables) {
    if (globalTable(t.name)?.mode === 'no_app_access') continue;
    const object = `${SCHEMA}.${t.name}`;
    if (!t.rls) add('rls_not_enabled', object, `${object} does not ENABLE row level security`);
    if (!t.force) add('rls_not_forced', object, `${object} does not FORCE row level security`);
  }
}

/** `tenant_id_missing`: each tenant table has `tenant_id uuid not null`. */
export function checkTenantColumn(tables: readonly TableRow[], add: AddFinding): void {
  for (const t of tables) {
    if (!isTenantTable(t.name)) continue;
    if (t.tenant_type !== 'uuid' || t.tenant_not_null !== true) {
      const object = `${SCHEMA}.${t.name}`;
      add('tenant_id_missing', object, `${object} lacks a "tenant_id uuid not null" column`);
    }
  }
}

/** `allowlist_stale`: every allowlisted global table exists. */
export function checkAllowlist(tables: readonly TableRow[], add: AddFinding): void {
  for (const g of GLOBAL_TABLES) {
    if (!tables.some((t) => t.name === g.name)) {
      add('allowlist_stale', `${SCHEMA}.${g.name}`, `allowlisted ${g.name} does not exist`);
    }
  }
}

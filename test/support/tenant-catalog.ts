/**
 * Tenant tables as the live catalog sees them, for tests that must cover a
 * table added by a later migration without being edited: discovery (every
 * table in schema `wardroom` with a tenant_id column), foreign-key order, the
 * app role's privileges, and a generic clone of one tenant's rows into
 * another tenant with the same ids. Run as the superuser admin (bypasses RLS).
 */
import type pg from 'pg';
import { quoteIdent } from '../../src/db/roles.js';

export interface TenantTable {
  readonly name: string;
  /** `wardroom.<name>`, quoted. */
  readonly qualified: string;
  /** Columns an INSERT may name (not generated), in attnum order. */
  readonly columns: readonly string[];
  /** Needs OVERRIDING SYSTEM VALUE to copy ids (GENERATED ALWAYS identity). */
  readonly identityAlways: boolean;
  /** Tenant tables this one references (other than itself). */
  readonly parents: readonly string[];
  readonly app: {
    readonly insert: boolean;
    readonly delete: boolean;
    /** A column the app role may UPDATE (tenant_id preferred), if any. */
    readonly updatable: string | undefined;
  };
}

interface Row {
  name: string;
  columns: string[];
  updatable: string[];
  identity_always: boolean;
  parents: string[];
  can_insert: boolean;
  can_delete: boolean;
}

/** Every tenant table, parents before children. */
export async function tenantTables(admin: pg.ClientBase, appRole: string): Promise<TenantTable[]> {
  const { rows } = await admin.query<Row>(
    `select c.relname as name,
            array(select a.attname::text from pg_attribute a
                   where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                     and a.attgenerated = '' order by a.attnum) as columns,
            array(select a.attname::text from pg_attribute a
                   where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
                     and has_column_privilege($1::name, c.oid, a.attnum, 'UPDATE')
                   order by a.attname <> 'tenant_id', a.attnum) as updatable,
            exists (select 1 from pg_attribute a where a.attrelid = c.oid
                     and a.attidentity = 'a' and not a.attisdropped) as identity_always,
            array(select distinct f.relname::text from pg_constraint k
                    join pg_class f on f.oid = k.confrelid
                   where k.conrelid = c.oid and k.contype = 'f' and f.oid <> c.oid
                     and exists (select 1 from pg_attribute fa where fa.attrelid = f.oid
                                  and fa.attname = 'tenant_id' and not fa.attisdropped)) as parents,
            has_table_privilege($1::name, c.oid, 'INSERT') as can_insert,
            has_table_privilege($1::name, c.oid, 'DELETE') as can_delete
       from pg_class c
      where c.relnamespace = 'wardroom'::regnamespace and c.relkind in ('r', 'p')
        and not c.relispartition
        and exists (select 1 from pg_attribute t where t.attrelid = c.oid
                     and t.attname = 'tenant_id' and not t.attisdropped)
      order by c.relname`,
    [appRole],
  );
  const byName = new Map(rows.map((r) => [r.name, r]));
  const ordered: TenantTable[] = [];
  const done = new Set<string>();
  while (done.size < rows.length) {
    const ready = rows.filter((r) => !done.has(r.name) && r.parents.every((p) => done.has(p)));
    if (ready.length === 0) {
      const stuck = rows.filter((r) => !done.has(r.name)).map((r) => r.name);
      throw new Error(`foreign keys between tenant tables form a cycle: ${stuck.join(', ')}`);
    }
    for (const r of ready) {
      done.add(r.name);
      ordered.push({
        name: r.name,
        qualified: `wardroom.${quoteIdent(r.name)}`,
        columns: r.columns,
        identityAlways: r.identity_always,
        parents: r.parents.filter((p) => byName.has(p)),
        app: { insert: r.can_insert, delete: r.can_delete, updatable: r.updatable[0] },
      });
    }
  }
  return ordered;
}

/** Column list for an INSERT, e.g. `("tenant_id", "id", ...)`. */
export function columnList(table: TenantTable): string {
  return `(${table.columns.map(quoteIdent).join(', ')})`;
}

/**
 * Copies every row of tenant `from` into tenant `to`, keeping all other
 * values (ids included), through the parent of partitioned tables. Returns the number of rows copied per table.
 */
export async function cloneTenant(
  admin: pg.ClientBase,
  tables: readonly TenantTable[],
  from: string,
  to: string,
): Promise<Map<string, number>> {
  const copied = new Map<string, number>();
  await admin.query('begin');
  try {
    // A pure copy: no triggers (the audit chain would re-stamp copied events
    // and write events of its own). Tables are copied parents first. The
    // audit triggers are enabled ALWAYS (migration 009), so replica mode does
    // not stop them: the events they write for `to` (ids above every id
    // visible now) are deleted after the copy.
    await admin.query('set local session_replication_role = replica');
    const { rows: seq } = await admin.query<{ last: string }>(
      'select last_value::text as last from wardroom.audit_log_id_seq',
    );
    for (const t of tables) {
      const select = t.columns.map((c) => (c === 'tenant_id' ? '$2::uuid' : quoteIdent(c)));
      const overriding = t.identityAlways ? 'overriding system value' : '';
      const result = await admin.query(
        `insert into ${t.qualified} ${columnList(t)} ${overriding}
         select ${select.join(', ')} from ${t.qualified} where tenant_id = $1`,
        [from, to],
      );
      copied.set(t.name, result.rowCount ?? 0);
    }
    await admin.query('delete from wardroom.audit_log where tenant_id = $1 and id > $2::bigint', [
      to,
      seq[0]?.last,
    ]);
    await admin.query('commit');
  } catch (error) {
    await admin.query('rollback');
    throw error;
  }
  return copied;
}

/** One row of `tenantId` in `table` as JSON (for generic copies), or undefined. */
export async function sampleRow(
  admin: pg.ClientBase,
  table: TenantTable,
  tenantId: string,
): Promise<Record<string, unknown> | undefined> {
  const { rows } = await admin.query<{ row: Record<string, unknown> }>(
    `select to_jsonb(t) as row from ${table.qualified} t where tenant_id = $1 limit 1`,
    [tenantId],
  );
  return rows[0]?.row;
}

/** Whether the admin connection bypasses RLS (needed to read and clone any tenant). */
export async function bypassesRls(admin: pg.ClientBase): Promise<boolean> {
  const { rows } = await admin.query<{ ok: boolean }>(
    'select rolsuper or rolbypassrls as ok from pg_roles where rolname = current_user',
  );
  return rows[0]?.ok === true;
}

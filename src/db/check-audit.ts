/**
 * `db check` rule for invariant 4 (everything is recorded): every tenant
 * table carries the row trigger that writes an audit event for each insert,
 * update and delete (wardroom.audit_row_change). The audit log's own tables
 * are exempt: recording a change to the log in the log would never end, and
 * the log is protected by its hash chain instead.
 */
import type { AddFinding } from './check.js';

export const AUDIT_EXEMPT_TABLES = ['audit_log', 'audit_heads', 'audit_checkpoints'] as const;

type Query = <R extends Record<string, unknown>>(text: string, values?: unknown[]) => Promise<R[]>;

export async function checkAuditTriggers(
  q: Query,
  tenantTables: ReadonlySet<string>,
  add: AddFinding,
): Promise<void> {
  const rows = await q<{ tbl: string; is_partition: boolean; audited: boolean }>(
    `select c.relname as tbl, c.relispartition as is_partition,
            exists (select 1 from pg_trigger g join pg_proc p on p.oid = g.tgfoid
                     where g.tgrelid = c.oid and not g.tgisinternal and g.tgenabled <> 'D'
                       and p.proname = 'audit_row_change'
                       and p.pronamespace = 'wardroom'::regnamespace
                       and (g.tgtype & 1) = 1            -- FOR EACH ROW
                       and (g.tgtype & 28) = 28) as audited -- INSERT (4), DELETE (8), UPDATE (16)
       from pg_class c
      where c.relnamespace = 'wardroom'::regnamespace and c.relkind in ('r', 'p')`,
  );
  for (const r of rows) {
    const exempt = (AUDIT_EXEMPT_TABLES as readonly string[]).includes(r.tbl) || r.is_partition;
    if (tenantTables.has(r.tbl) && !exempt && !r.audited) {
      add(
        'audit_trigger_missing',
        `wardroom.${r.tbl}`,
        `wardroom.${r.tbl} has no enabled row trigger running wardroom.audit_row_change() on insert, update and delete`,
      );
    }
  }
}

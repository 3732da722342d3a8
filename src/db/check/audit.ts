/**
 * `db check` rule for invariant 4 (everything is recorded): every tenant
 * table carries the three statement triggers that write an audit event for
 * each inserted, updated and deleted row (wardroom.audit_changes, AFTER, FOR
 * EACH STATEMENT, with the transition tables each event needs). The audit
 * log's own tables are exempt: recording a change to the log in the log
 * would never end, and the log is protected by its hash chain instead.
 */
import type { AddFinding, Query } from './shared.js';

export const AUDIT_EXEMPT_TABLES = ['audit_log', 'audit_heads', 'audit_checkpoints'] as const;

/** pg_trigger.tgtype bits (see pg_trigger.h). */
const EVENTS = [
  { name: 'insert', bit: 4, oldTable: false, newTable: true },
  { name: 'delete', bit: 8, oldTable: true, newTable: false },
  { name: 'update', bit: 16, oldTable: true, newTable: true },
] as const;

export async function checkAuditTriggers(
  q: Query,
  tenantTables: ReadonlySet<string>,
  add: AddFinding,
): Promise<void> {
  const covered = EVENTS.map(
    (e) => `exists (select 1 from pg_trigger g join pg_proc p on p.oid = g.tgfoid
                     where g.tgrelid = c.oid and not g.tgisinternal and g.tgenabled in ('O', 'A')
                       and p.proname = 'audit_changes'
                       and p.pronamespace = 'wardroom'::regnamespace
                       and (g.tgtype & 67) = 0          -- FOR EACH STATEMENT (1), AFTER (2, 64)
                       and (g.tgtype & ${e.bit}) = ${e.bit}
                       ${e.oldTable ? 'and g.tgoldtable is not null' : ''}
                       ${e.newTable ? 'and g.tgnewtable is not null' : ''}) as ${e.name}`,
  );
  const rows = await q<{
    tbl: string;
    is_partition: boolean;
    insert: boolean;
    update: boolean;
    delete: boolean;
  }>(
    `select c.relname as tbl, c.relispartition as is_partition, ${covered.join(', ')}
       from pg_class c
      where c.relnamespace = 'wardroom'::regnamespace and c.relkind in ('r', 'p')`,
  );
  for (const r of rows) {
    const exempt = (AUDIT_EXEMPT_TABLES as readonly string[]).includes(r.tbl) || r.is_partition;
    const missing = EVENTS.filter((e) => !r[e.name]).map((e) => e.name);
    if (tenantTables.has(r.tbl) && !exempt && missing.length > 0) {
      add(
        'audit_trigger_missing',
        `wardroom.${r.tbl}`,
        `wardroom.${r.tbl} has no enabled AFTER statement trigger running wardroom.audit_changes() with transition tables on ${missing.join(', ')}`,
      );
    }
  }
}

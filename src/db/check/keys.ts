/**
 * `db check` rules on keys between tenant tables: a unique index on a
 * tenant table leads with tenant_id (so uniqueness is per tenant and no
 * insert can probe another tenant's values), and a foreign key from one
 * tenant table to another maps tenant_id to tenant_id (so a row can never
 * point into another tenant).
 */
import { SCHEMA, type AddFinding, type Query } from './shared.js';

/** `unique_key_without_tenant`. */
export async function checkUniqueKeys(
  q: Query,
  tenantTables: ReadonlySet<string>,
  add: AddFinding,
): Promise<void> {
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
}

/** `foreign_key_without_tenant`. */
export async function checkForeignKeys(
  q: Query,
  tenantTables: ReadonlySet<string>,
  add: AddFinding,
): Promise<void> {
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
}

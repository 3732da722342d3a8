/**
 * SQL over the sealed-field registry. The key version sits in bytes 18..21
 * of every envelope (big-endian uint32), so the database filters and counts
 * by version itself: comparing the 4-byte substring as bytea is comparing
 * the versions, since bytea compares bytewise. Table and column names come
 * from the registry (never from input) and are quoted as identifiers.
 */
import { sql, type RawBuilder } from 'kysely';
import { principalOf, type TenantTx } from '../../../db/tenant-tx.js';
import { AppError } from '../../../base/errors.js';
import { HEADER_BYTES } from '../../crypto/index.js';
import {
  KEY_VERSION_BYTES,
  KEY_VERSION_OFFSET,
  SEALED_FIELDS,
  fieldName,
  type SealedField,
} from '../sealed-fields.js';

export function versionBytes(version: number): Buffer {
  const b = Buffer.alloc(KEY_VERSION_BYTES);
  b.writeUInt32BE(version);
  return b;
}

const table = (f: SealedField) => sql.id('wardroom', f.table);
const column = (f: SealedField) => sql.ref(f.column);

/** The envelope's key version bytes, as SQL. */
export function versionOf(f: SealedField): RawBuilder<Buffer> {
  return sql<Buffer>`substring(${column(f)} from ${sql.lit(KEY_VERSION_OFFSET + 1)} for ${sql.lit(KEY_VERSION_BYTES)})`;
}

/** The envelope's key version as an integer, as SQL. */
function versionNumber(f: SealedField): RawBuilder<number> {
  const b = (i: number) => sql`get_byte(${column(f)}, ${sql.lit(KEY_VERSION_OFFSET + i)})`;
  return sql<number>`((${b(0)}::bigint << 24) | (${b(1)} << 16) | (${b(2)} << 8) | ${b(3)})::bigint`;
}

/** Rows of one field sealed under a version below `version`. */
export async function countBelow(tx: TenantTx, f: SealedField, version: number): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from ${table(f)}
     where ${column(f)} is not null and ${versionOf(f)} < ${versionBytes(version)}`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}

export async function countAllBelow(tx: TenantTx, version: number): Promise<number> {
  let total = 0;
  for (const f of SEALED_FIELDS) total += await countBelow(tx, f, version);
  return total;
}

/** Rows per key version of one field: `{version: rows}`. */
export async function versionHistogram(
  tx: TenantTx,
  f: SealedField,
): Promise<Record<string, number>> {
  const { rows } = await sql<{ version: string; n: string }>`
    select ${versionNumber(f)} as version, count(*) as n from ${table(f)}
     where ${column(f)} is not null group by 1 order by 1`.execute(tx);
  return Object.fromEntries(rows.map((r) => [String(Number(r.version)), Number(r.n)]));
}

export interface SealedRow {
  readonly id: string;
  readonly sealed: Buffer;
}

/** A row as read to be re-sealed: with the values of its bound columns, as text. */
export interface BoundRow extends SealedRow {
  readonly bound: readonly (string | null)[];
}

/** The field's bound columns as a text[] (NULLs kept), as SQL. */
function boundOf(f: SealedField): RawBuilder<(string | null)[]> {
  const values = f.bound.map((c) => sql`${sql.ref(c)}::text`);
  return sql<(string | null)[]>`array[${sql.join(values)}]::text[]`;
}

export interface ResealedRow extends SealedRow {
  /** The envelope the row held when read. */
  readonly was: Buffer;
}

/**
 * The next rows of a field, in id order after `afterId`, still below
 * `version`: at most `limit` rows, and no more rows than fit in `maxBytes`
 * of envelopes (always at least one), so a batch's memory is bounded
 * whatever the field's size. `more` says whether rows may follow.
 *
 * Nothing is locked: writeSealed() replaces a row only if it still holds
 * the envelope read here, so a row a concurrent writer changed meanwhile is
 * left alone (and, if still below the version, found again by the sweep's
 * closing recount).
 */
export async function nextBelow(
  tx: TenantTx,
  f: SealedField,
  version: number,
  afterId: string | null,
  limit: number,
  maxBytes: number,
): Promise<{ rows: BoundRow[]; more: boolean }> {
  const id = sql.ref(f.idColumn);
  const sealed = column(f);
  const after = afterId === null ? sql`true` : sql`${id} > ${afterId}`;
  // Ordered by the id column itself (not a text rendering of it), so each
  // batch walks the primary key index from the checkpoint.
  const bound = f.bound.length === 0 ? sql`'{}'::text[]` : boundOf(f);
  const { rows } = await sql<BoundRow & { fetched: string }>`
    with batch as (
      select ${id} as rid, ${sealed} as sealed, ${bound} as bound,
             sum(octet_length(${sealed})) over (order by ${id}) - octet_length(${sealed}) as before
        from ${table(f)}
       where ${sealed} is not null and ${versionOf(f)} < ${versionBytes(version)} and ${after}
       order by ${id} limit ${limit}
    )
    select rid::text as id, sealed, bound, (select count(*) from batch) as fetched
      from batch where before < ${maxBytes} order by rid`.execute(tx);
  const fetched = Number(rows[0]?.fetched ?? 0);
  return {
    rows: rows.map((r) => ({ id: r.id, sealed: r.sealed, bound: r.bound })),
    more: fetched === limit || rows.length < fetched,
  };
}

const idTypes = new Map<string, string>();

/** The SQL type of a field's id column, from the catalog (used in a cast). */
async function idType(tx: TenantTx, f: SealedField): Promise<string> {
  const key = `${f.table}.${f.idColumn}`;
  const known = idTypes.get(key);
  if (known !== undefined) return known;
  const { rows } = await sql<{ type: string }>`
    select format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
     where a.attrelid = ${`wardroom.${f.table}`}::regclass and a.attname = ${f.idColumn}
       and not a.attisdropped`.execute(tx);
  const type = rows[0]?.type;
  if (type === undefined || !/^[a-z][a-z0-9 _]*$/.test(type)) {
    throw new AppError('internal', `Sealed field ${fieldName(f)}: no id column ${f.idColumn}`);
  }
  idTypes.set(key, type);
  return type;
}

/**
 * Writes re-sealed envelopes back, one statement per batch. A row is
 * replaced only while it still starts with the header and nonce it had when
 * read (a nonce is random per seal), so a concurrent write is never undone.
 *
 * The envelopes travel as one binary parameter (concatenated, split again
 * by length in SQL) and so do the headers: an array of bytea would be sent
 * as hex text, twice the bytes, encoded here and decoded by the server.
 */
export async function writeSealed(
  tx: TenantTx,
  f: SealedField,
  resealed: readonly ResealedRow[],
): Promise<number> {
  if (resealed.length === 0) return 0;
  const type = sql.raw(await idType(tx, f));
  const envelopes = Buffer.concat(resealed.map((r) => r.sealed));
  const heads = Buffer.concat(resealed.map((r) => r.was.subarray(0, HEADER_BYTES)));
  const head = sql.lit(HEADER_BYTES);
  const id = sql`t.${sql.ref(f.idColumn)}`;
  // The batch's id range bounds the index scan: without it the planner may
  // hash the workspace's whole table to join 500 rows, on every batch.
  // (No min(uuid) before PostgreSQL 16, hence order by ... limit 1.)
  const result = await sql`
    with v as (
      select u.id, u.len, (sum(u.len) over (order by u.ord) - u.len + 1)::int as start,
             substring(${heads}::bytea from (u.ord::int - 1) * ${head} + 1 for ${head}) as head
        from unnest(${resealed.map((r) => r.id)}::${type}[], ${resealed.map((r) => r.sealed.length)}::int[])
             with ordinality as u(id, len, ord)
    )
    update ${table(f)} as t set ${column(f)} = substring(${envelopes}::bytea from v.start for v.len)
      from v
     where t.tenant_id = ${principalOf(tx).tenantId}
       and ${id} >= (select id from v order by id limit 1)
       and ${id} <= (select id from v order by id desc limit 1)
       and ${id} = v.id
       and substring(t.${column(f)} from 1 for ${head}) = v.head`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

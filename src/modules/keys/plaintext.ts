/**
 * Plaintext left over in the columns sealed fields replace: the `plaintext`
 * column of a registered field (sealed-fields.ts) holds a value only in rows
 * written before that field was sealed (migration 011 for names, titles and
 * display names). `sealPlaintext` seals each such value into the field,
 * bound exactly as the owning module binds it, and clears the plaintext in
 * the same update (`wardroom keys seal-names`); `clearPlaintext` only
 * clears it (the shred, whose keys are going). Table and column names come
 * from the registry, never from input.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/tenant-tx.js';
import type { Keyring } from './keyring.js';
import { SEALED_FIELDS, fieldName, type SealedField } from './sealed-fields.js';

/** Rows sealed per statement: bounds memory, and each batch is one audit event. */
const BATCH = 500;

type WithPlaintext = SealedField & { readonly plaintext: string };

function withPlaintext(): WithPlaintext[] {
  return SEALED_FIELDS.filter((f): f is WithPlaintext => f.plaintext !== undefined);
}

const table = (f: SealedField) => sql.id('wardroom', f.table);

/** Per field (`table.column`), how many rows were sealed. */
export async function sealPlaintext(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
): Promise<Record<string, number>> {
  const done: Record<string, number> = {};
  for (const f of withPlaintext()) {
    let n = 0;
    for (;;) {
      const sealed = await sealBatch(tx, keyring, f);
      n += sealed;
      if (sealed < BATCH) break;
    }
    done[fieldName(f)] = n;
  }
  return done;
}

async function sealBatch(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  f: WithPlaintext,
): Promise<number> {
  const id = sql.ref(f.idColumn);
  const plain = sql.ref(f.plaintext);
  const bound =
    f.bound.length === 0
      ? sql`'{}'::text[]`
      : sql`array[${sql.join(f.bound.map((c) => sql`${sql.ref(c)}::text`))}]::text[]`;
  const { rows } = await sql<{ id: string; plain: string; bound: (string | null)[] }>`
    select ${id}::text as id, ${plain} as plain, ${bound} as bound from ${table(f)}
     where ${plain} is not null order by ${id} limit ${BATCH} for update`.execute(tx);
  if (rows.length === 0) return 0;
  const envelopes: Buffer[] = [];
  for (const r of rows) {
    const ref = { table: f.table, column: f.column, rowId: r.id, bound: r.bound };
    envelopes.push(await keyring.seal(tx, ref, Buffer.from(r.plain, 'utf8')));
  }
  await sql`
    update ${table(f)} t set ${sql.ref(f.column)} = v.sealed, ${plain} = null
      from unnest(${rows.map((r) => r.id)}::text[], ${envelopes}::bytea[]) as v(id, sealed)
     where t.${id}::text = v.id`.execute(tx);
  return rows.length;
}

/**
 * Plain free text that is not sealed by design (it is shown to admins and
 * sent back to requesters, and the console asks for no personal data in it)
 * but that a person may have written personal data into anyway: the shred
 * overwrites it with a fixed marker (the tables' checks require a value
 * where the text was given).
 */
export const FREE_TEXT_CLEARED_BY_SHRED = [
  { table: 'privacy_requests', column: 'extension_reason' },
  { table: 'privacy_requests', column: 'denial_reason' },
] as const;

export const SHREDDED_TEXT = 'Cleared when the workspace was shredded';

/** Clears every leftover plaintext of the workspace, and its unsealed free text (the shred). */
export async function clearPlaintext(tx: TenantTx): Promise<void> {
  for (const f of withPlaintext()) {
    const plain = sql.ref(f.plaintext);
    await sql`update ${table(f)} set ${plain} = null where ${plain} is not null`.execute(tx);
  }
  for (const f of FREE_TEXT_CLEARED_BY_SHRED) {
    const col = sql.ref(f.column);
    await sql`update ${sql.id('wardroom', f.table)} set ${col} = ${SHREDDED_TEXT}
               where ${col} is not null`.execute(tx);
  }
}

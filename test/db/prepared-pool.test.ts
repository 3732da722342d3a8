/**
 * The prepared-statement pool: parameterized queries become named
 * statements prepared once per connection; the rest stay unnamed; the
 * number of names is bounded; and a statement a migration made stale costs
 * one failed query, after which the connection is replaced. A query still
 * waiting on a transaction that failed is refused, not run after the
 * ROLLBACK.
 */
import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { preparedPool } from '../../src/db/prepared-pool.js';

interface Scratch {
  [table: string]: { id: number; label: string };
}

const schema = `prep_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: inject('adminUrl'), max: 1 });
const db = new Kysely<Scratch>({
  dialect: new PostgresDialect({
    pool: preparedPool(pool, { maxStatements: 3, maxParameters: 4 }),
  }),
});

const prepared = async (): Promise<string[]> => {
  const { rows } = await sql<{ name: string }>`
    select name from pg_prepared_statements order by name`.execute(db);
  return rows.map((r) => r.name);
};
beforeAll(async () => {
  await pool.query(
    `create schema ${schema}; create table ${schema}.items (id int primary key, label text)`,
  );
  await pool.query(
    `insert into ${schema}.items select g, 'item ' || g from generate_series(1, 10) g`,
  );
});
afterAll(async () => {
  await pool.query(`drop schema ${schema} cascade`);
  await db.destroy();
});

const items = () => db.withSchema(schema).selectFrom('items');

describe('preparedPool', () => {
  it('prepares a parameterized query once per connection and reuses it', async () => {
    const before = await prepared();
    for (let i = 1; i <= 3; i++) {
      const row = await items().select(['id', 'label']).where('id', '=', i).executeTakeFirst();
      expect(row).toEqual({ id: i, label: `item ${i}` });
    }
    const after = await prepared();
    expect(after.length - before.length).toBe(1);
  });

  it('leaves queries without parameters, or with too many, unnamed', async () => {
    const before = await prepared();
    await sql`select 1`.execute(db);
    await items().selectAll().where('id', 'in', [1, 2, 3, 4, 5]).execute();
    expect(await prepared()).toEqual(before);
  });

  it('names at most maxStatements texts, and runs later ones unnamed', async () => {
    for (const column of ['id', 'label'] as const) {
      await items().select(column).where('id', '>', 1).execute();
      await items().select(column).where('id', '<', 9).execute();
    }
    expect(await prepared()).toHaveLength(3);
    const rows = await items().select('label').where('id', '=', 7).execute();
    expect(rows).toEqual([{ label: 'item 7' }]);
  });

  it('replaces a connection whose statement a migration made stale', async () => {
    const fresh = new Kysely<Scratch>({
      dialect: new PostgresDialect({
        pool: preparedPool(new pg.Pool({ connectionString: inject('adminUrl'), max: 1 }), {
          maxStatements: 10,
        }),
      }),
    });
    try {
      const first = () =>
        fresh.withSchema(schema).selectFrom('items').selectAll().where('id', '=', 2);
      expect(await first().executeTakeFirst()).toEqual({ id: 2, label: 'item 2' });
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(fresh);
      await pool.query(`alter table ${schema}.items add column note text`);
      await expect(first().executeTakeFirst()).rejects.toThrow(/cached plan/);
      const again = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(fresh);
      expect(again.rows[0]!.pid).not.toBe(rows[0]!.pid);
      expect(await first().executeTakeFirst()).toEqual({ id: 2, label: 'item 2', note: null });
    } finally {
      await pool.query(`alter table ${schema}.items drop column if exists note`);
      await fresh.destroy();
    }
  });

  it('refuses a query that was waiting on a transaction when it rolled back', async () => {
    let late: Promise<unknown> | undefined;
    await expect(
      db.transaction().execute((trx) => {
        void sql`select pg_sleep(0.2)`.execute(trx).catch(() => undefined);
        // Waits in Kysely behind the sleep; the ROLLBACK below goes first.
        late = trx
          .withSchema(schema)
          .insertInto('items')
          .values({ id: 100, label: 'late' })
          .execute();
        late.catch(() => undefined);
        return Promise.reject(new Error('the transaction failed'));
      }),
    ).rejects.toThrow('the transaction failed');
    await expect(late).rejects.toThrow(/transaction already ended/);
    expect(await items().selectAll().where('id', '=', 100).execute()).toEqual([]);
  });
});

/**
 * Migrations under concurrency: two servers starting at once against a fresh
 * database both succeed, and every migration is applied exactly once.
 */
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';
import { migrate } from '../../src/db/migrate.js';

const made: TestDatabase[] = [];
afterAll(async () => {
  for (const db of made) await dropTestDatabase(inject('clusterUrl'), db);
});

describe('migrate', () => {
  it('serializes concurrent runs and applies each migration once', async () => {
    const db = await createTestDatabase(inject('clusterUrl'), { migrate: false });
    made.push(db);
    const options = { adminUrl: db.adminUrl, roles: db.roles, appPassword: db.appPassword };
    const results = await Promise.all([migrate(options), migrate(options), migrate(options)]);
    expect(results.flat().filter((name) => name === '001_foundation')).toHaveLength(1);

    const client = new pg.Client({ connectionString: db.adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: string }>(
        'select name, count(*) as n from wardroom.schema_migrations group by name',
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.n === '1')).toBe(true);
      const owner = await client.query<{ owner: string }>(
        `select tableowner as owner from pg_tables where schemaname = 'wardroom' and tablename = 'messages'`,
      );
      expect(owner.rows[0]?.owner).toBe(db.roles.owner);
    } finally {
      await client.end();
    }
    expect(await migrate(options)).toEqual([]);
  });
});

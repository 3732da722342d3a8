/**
 * Bootstrap leaves the migrator as the only member of the owner role: a
 * member could disable the audit triggers or forge events (docs/audit.md,
 * "Trust root"). A membership granted by hand is revoked on the next run,
 * and `db check` names it until then. The same for the jobs role's
 * memberships and attributes.
 */
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { checkDatabase } from '../../src/db/check.js';
import { migrate } from '../../src/db/migrate.js';
import { quoteIdent } from '../../src/db/roles.js';
import { createTestDatabase, dropTestDatabase } from '../support/databases.js';

describe('bootstrap and the owner role', () => {
  it('revokes membership in the owner role from every role but the migrator', async () => {
    const db = await createTestDatabase(inject('clusterUrl'));
    const intruder = `${db.rolePrefix}dba`;
    const client = new pg.Client({ connectionString: db.adminUrl });
    await client.connect();
    try {
      await client.query(`create role ${quoteIdent(intruder)} login`);
      await client.query(`grant ${quoteIdent(db.roles.owner)} to ${quoteIdent(intruder)}`);
      await client.query(`grant ${quoteIdent(db.roles.owner)} to ${quoteIdent(db.roles.ops)}`);
      const before = await checkDatabase(client, db.roles);
      expect(before.filter((f) => f.rule === 'owner_role_member').map((f) => f.object)).toEqual(
        [intruder, db.roles.ops].sort(),
      );
      await migrate({ adminUrl: db.adminUrl, roles: db.roles, appPassword: db.appPassword });
      expect(await checkDatabase(client, db.roles)).toEqual([]);
    } finally {
      await client.end();
      await dropTestDatabase(inject('clusterUrl'), db);
      const cluster = new pg.Client({ connectionString: inject('clusterUrl') });
      await cluster.connect();
      await cluster.query(`drop role if exists ${quoteIdent(intruder)}`);
      await cluster.end();
    }
  });

  it('resets the jobs role: no membership, no superuser or other attribute', async () => {
    const db = await createTestDatabase(inject('clusterUrl'));
    const client = new pg.Client({ connectionString: db.adminUrl });
    await client.connect();
    try {
      const jobs = quoteIdent(db.roles.jobs);
      await client.query(`grant ${quoteIdent(db.roles.app)} to ${jobs}`);
      await client.query(`grant ${quoteIdent(db.roles.ops)} to ${jobs}`);
      await client.query(`alter role ${jobs} superuser createrole createdb bypassrls`);
      const before = await checkDatabase(client, db.roles);
      expect(before.map((f) => f.rule)).toEqual(
        expect.arrayContaining([
          'jobs_role_member',
          'jobs_role_superuser',
          'jobs_role_createrole',
          'jobs_role_createdb',
          'jobs_role_bypassrls',
        ]),
      );
      await migrate({ adminUrl: db.adminUrl, roles: db.roles, appPassword: db.appPassword });
      expect(await checkDatabase(client, db.roles)).toEqual([]);
    } finally {
      await client.end();
      await dropTestDatabase(inject('clusterUrl'), db);
    }
  });
});

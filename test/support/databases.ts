/**
 * Test databases: each suite run gets a database of its own, with role names
 * under a unique prefix, on the PostgreSQL named by TEST_DATABASE_URL (CI) or
 * on an embedded cluster started for the run. Tests that must break the
 * schema (e.g. prove `db check` can fail) create one more with
 * createTestDatabase().
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { withCredentials } from '../../src/db/connect.js';
import { migrate } from '../../src/db/migrate.js';
import { quoteIdent, roleNames, type RoleNames } from '../../src/db/roles.js';
import { declareQueues } from '../../src/start-privacy.js';

export interface TestDatabase {
  readonly adminUrl: string;
  readonly appUrl: string;
  /** The job queue's login (the jobs role). */
  readonly jobsUrl: string;
  readonly rolePrefix: string;
  readonly roles: RoleNames;
  readonly appPassword: string;
  readonly jobsPassword: string;
}

export async function createTestDatabase(
  clusterUrl: string,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const suffix = randomBytes(5).toString('hex');
  const name = `wardroom_test_${suffix}`;
  const rolePrefix = `wrt${suffix}_`;
  const roles = roleNames(rolePrefix);
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${quoteIdent(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  const adminUrl = url.toString();
  const appPassword = randomBytes(16).toString('hex');
  const jobsPassword = randomBytes(16).toString('hex');
  if (options.migrate !== false) {
    await migrate({
      adminUrl,
      roles,
      appPassword,
      jobsPassword,
      declareQueues,
    });
  }
  return {
    adminUrl,
    appUrl: withCredentials(adminUrl, roles.app, appPassword),
    jobsUrl: withCredentials(adminUrl, roles.jobs, jobsPassword),
    rolePrefix,
    roles,
    appPassword,
    jobsPassword,
  };
}

export async function dropTestDatabase(clusterUrl: string, db: TestDatabase): Promise<void> {
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    const name = new URL(db.adminUrl).pathname.slice(1);
    await admin.query(`drop database if exists ${quoteIdent(name)} with (force)`);
    for (const role of [db.roles.app, db.roles.jobs, db.roles.ops, db.roles.owner]) {
      await admin.query(`drop role if exists ${quoteIdent(role)}`);
    }
  } finally {
    await admin.end();
  }
}

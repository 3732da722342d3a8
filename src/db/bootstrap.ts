/**
 * Cluster-level setup the migrations cannot do for themselves: the three roles
 * and the `wardroom` schema. Runs as the administrative connection (the
 * DATABASE_URL user), idempotently, before migrations.
 *
 * Invariants enforced here on every boot, not only on first creation: the app
 * role can log in, is not a superuser, has no BYPASSRLS, creates nothing and
 * owns nothing (objects belong to the owner role).
 */
import type pg from 'pg';
import { quoteIdent, type RoleNames } from './roles.js';

export async function bootstrapRoles(
  client: pg.ClientBase,
  roles: RoleNames,
  appPassword: string | undefined,
): Promise<void> {
  const owner = quoteIdent(roles.owner);
  const app = quoteIdent(roles.app);
  const ops = quoteIdent(roles.ops);
  await createRoleIfMissing(client, roles.owner, 'NOLOGIN');
  await createRoleIfMissing(client, roles.app, 'LOGIN');
  await createRoleIfMissing(client, roles.ops, 'NOLOGIN');
  await client.query(
    `ALTER ROLE ${app} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION`,
  );
  await client.query(`ALTER ROLE ${owner} NOSUPERUSER NOBYPASSRLS`);
  await client.query(`ALTER ROLE ${ops} NOSUPERUSER NOBYPASSRLS`);
  if (appPassword !== undefined) {
    await client.query(`ALTER ROLE ${app} PASSWORD ${client.escapeLiteral(appPassword)}`);
  }
  const { rows } = await client.query<{ is_super: boolean }>(
    'select rolsuper as is_super from pg_roles where rolname = current_user',
  );
  if (rows[0]?.is_super !== true) await client.query(`GRANT ${owner} TO CURRENT_USER`);
  await client.query(`CREATE SCHEMA IF NOT EXISTS wardroom AUTHORIZATION ${owner}`);
  await client.query(`REVOKE ALL ON SCHEMA wardroom FROM PUBLIC`);
  await client.query(`GRANT USAGE ON SCHEMA wardroom TO ${app}, ${ops}`);
  const db = quoteIdent(await currentDatabase(client));
  await client.query(`GRANT CONNECT ON DATABASE ${db} TO ${app}`);
}

async function createRoleIfMissing(
  client: pg.ClientBase,
  name: string,
  login: string,
): Promise<void> {
  const found = await client.query('select 1 from pg_roles where rolname = $1', [name]);
  if (found.rowCount !== 0) return;
  try {
    await client.query(`CREATE ROLE ${quoteIdent(name)} ${login}`);
  } catch (error) {
    // Roles are cluster-wide: another database's bootstrap may have won the race.
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code !== '42710' && code !== '23505') throw error;
  }
}

async function currentDatabase(client: pg.ClientBase): Promise<string> {
  const { rows } = await client.query<{ db: string }>('select current_database() as db');
  const db = rows[0]?.db;
  if (db === undefined) throw new Error('current_database() returned nothing');
  return db;
}

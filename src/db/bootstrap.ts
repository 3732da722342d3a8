/**
 * Cluster-level setup the migrations cannot do for themselves: the four roles
 * and the `wardroom` schema. Runs as the administrative connection (the
 * DATABASE_URL user), idempotently, before migrations.
 *
 * Invariants enforced here on every boot, not only on first creation: the app
 * role can log in, is not a superuser, has no BYPASSRLS, creates nothing and
 * owns nothing (objects belong to the owner role); and no role but the
 * migrator (the user running this) is a member of the owner role, since a
 * member could disable the audit triggers or forge audit events (see
 * docs/audit.md, "Trust root"). The jobs role (the job queue's login) is
 * held to the same attributes as the app role and is a member of no role;
 * its rights on pg-boss's schema are granted by jobs.ts, none in `wardroom`.
 */
import type pg from 'pg';
import { quoteIdent, type RoleNames } from './roles.js';

/** Passwords given to the login roles (undefined: left as they are). */
export interface RolePasswords {
  readonly app: string | undefined;
  readonly jobs?: string | undefined;
}

export async function bootstrapRoles(
  client: pg.ClientBase,
  roles: RoleNames,
  passwords: RolePasswords,
): Promise<void> {
  const owner = quoteIdent(roles.owner);
  const app = quoteIdent(roles.app);
  const ops = quoteIdent(roles.ops);
  const jobs = quoteIdent(roles.jobs);
  await createRoleIfMissing(client, roles.owner, 'NOLOGIN');
  await createRoleIfMissing(client, roles.app, 'LOGIN');
  await createRoleIfMissing(client, roles.ops, 'NOLOGIN');
  await createRoleIfMissing(client, roles.jobs, 'LOGIN');
  for (const login of [app, jobs]) {
    await client.query(
      `ALTER ROLE ${login} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOREPLICATION`,
    );
  }
  await client.query(`ALTER ROLE ${owner} NOSUPERUSER NOBYPASSRLS`);
  await client.query(`ALTER ROLE ${ops} NOSUPERUSER NOBYPASSRLS`);
  for (const [role, password] of [
    [app, passwords.app],
    [jobs, passwords.jobs],
  ] as const) {
    if (password === undefined) continue;
    await client.query(`ALTER ROLE ${role} PASSWORD ${client.escapeLiteral(password)}`);
  }
  const { rows } = await client.query<{ is_super: boolean }>(
    'select rolsuper as is_super from pg_roles where rolname = current_user',
  );
  if (rows[0]?.is_super !== true) await client.query(`GRANT ${owner} TO CURRENT_USER`);
  await revokeOwnerFromOthers(client, roles.owner);
  await revokeMemberships(client, roles.jobs);
  await client.query(`CREATE SCHEMA IF NOT EXISTS wardroom AUTHORIZATION ${owner}`);
  await client.query(`REVOKE ALL ON SCHEMA wardroom FROM PUBLIC`);
  await client.query(`GRANT USAGE ON SCHEMA wardroom TO ${app}, ${ops}`);
  const db = quoteIdent(await currentDatabase(client));
  await client.query(`GRANT CONNECT ON DATABASE ${db} TO ${app}, ${jobs}`);
}

/** Revokes every role the given role is a direct member of. */
async function revokeMemberships(client: pg.ClientBase, member: string): Promise<void> {
  const { rows } = await client.query<{ role: string }>(
    `select m.roleid::regrole::text as role from pg_auth_members m
      where m.member = $1::regrole order by 1`,
    [quoteIdent(member)],
  );
  for (const r of rows) await client.query(`REVOKE ${r.role} FROM ${quoteIdent(member)}`);
}

/** Revokes direct membership in the owner role from every role but the current user. */
async function revokeOwnerFromOthers(client: pg.ClientBase, owner: string): Promise<void> {
  const { rows } = await client.query<{ member: string }>(
    `select m.member::regrole::text as member from pg_auth_members m
      where m.roleid = $1::regrole and m.member <> (select oid from pg_roles where rolname = current_user)
      order by 1`,
    [quoteIdent(owner)],
  );
  for (const r of rows) await client.query(`REVOKE ${quoteIdent(owner)} FROM ${r.member}`);
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

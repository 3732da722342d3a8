/**
 * Runs the plain-SQL migrations in `migrations/` with node-pg-migrate, as the
 * owner role, under the library's advisory lock in `wait` mode: two servers
 * starting at once serialize, and the second finds nothing left to do.
 * Bootstrap (roles, schema) runs under a lock of our own first; pg-boss's
 * schema, the declared queues and the jobs role's grants on them come last
 * (jobs.ts), so no role the server logs in as ever needs DDL rights.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { bootstrapRoles } from './bootstrap.js';
import { installJobQueue, type DeclareQueues } from './jobs.js';
import { pgConnection } from './tls.js';
import { mapRoleNames, quoteIdent, type RoleNames } from './roles.js';

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
  'migrations',
);

const BOOTSTRAP_LOCK = 7_302_118_001;

/**
 * Names node-pg-migrate must skip (it matches `^pattern$`): dotfiles, as by
 * default, and anything not `*.sql`, such as the folder's README.
 */
const NOT_A_MIGRATION = String.raw`(?:\..*|(?!.*\.sql$).*)`;

export interface MigrateOptions {
  readonly adminUrl: string;
  readonly roles: RoleNames;
  readonly appPassword: string | undefined;
  /** Given to the jobs role (undefined: left as it is, e.g. DATABASE_JOBS_URL is configured). */
  readonly jobsPassword?: string | undefined;
  /** The application's job queues, created in pg-boss's schema. */
  readonly declareQueues?: DeclareQueues;
  /** pg-boss's schema (default wardroom_jobs; tests keep theirs apart). */
  readonly jobsSchema?: string;
  readonly dir?: string;
  readonly log?: (msg: string) => void;
}

export async function migrate(options: MigrateOptions): Promise<string[]> {
  const applied = await migrateWardroom(options);
  await installJobQueue(options.adminUrl, options.roles.jobs, {
    ...(options.jobsSchema === undefined ? {} : { schema: options.jobsSchema }),
    ...(options.declareQueues === undefined ? {} : { declareQueues: options.declareQueues }),
  });
  return applied;
}

async function migrateWardroom(options: MigrateOptions): Promise<string[]> {
  const client = new pg.Client(pgConnection(options.adminUrl));
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [BOOTSTRAP_LOCK]);
    try {
      await bootstrapRoles(client, options.roles, {
        app: options.appPassword,
        jobs: options.jobsPassword,
      });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [BOOTSTRAP_LOCK]);
    }
    // Objects created by migrations must belong to the owner role, never the admin.
    await client.query(`SET ROLE ${quoteIdent(options.roles.owner)}`);
    const ran = await runner({
      dbClient: withRoleMapping(client, options.roles),
      dir: options.dir ?? MIGRATIONS_DIR,
      ignorePattern: NOT_A_MIGRATION,
      migrationsTable: 'schema_migrations',
      schema: 'wardroom',
      migrationsSchema: 'wardroom',
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      advisoryLockMode: 'wait',
      log: (msg: string) => options.log?.(msg),
    });
    return ran.map((m) => m.name);
  } finally {
    await client.end();
  }
}

/** A client whose queries have canonical role names mapped to the configured ones. */
function withRoleMapping(client: pg.Client, roles: RoleNames): pg.Client {
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'query') return Reflect.get(target, prop, receiver) as unknown;
      const query = target.query.bind(target) as (...args: unknown[]) => unknown;
      return (text: unknown, ...rest: unknown[]) =>
        query(typeof text === 'string' ? mapRoleNames(text, roles) : text, ...rest);
    },
  });
}

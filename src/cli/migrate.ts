/**
 * `wardroom migrate`: create roles and schema if needed and apply pending
 * SQL migrations (safe to run concurrently: it waits on an advisory lock).
 */
import type { Command } from 'commander';
import { migrateOptions } from '../app.js';
import { requireAdminUrl } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { configFrom, withTarget, type Output } from './context.js';

export function registerMigrate(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  program
    .command('migrate')
    .description(
      'Apply pending migrations from migrations/ (roles and schema are created first if missing), ' +
        "then install or upgrade the job queue's schema and grant the jobs role its rights there",
    )
    .action(async () => {
      const config = configFrom(env);
      const applied = await withTarget(
        config,
        (t) => migrate(migrateOptions(t, requireAdminUrl(t, 'wardroom migrate'))),
        { mayCreate: true },
      );
      io.out(applied.length === 0 ? 'Database is up to date' : `Applied: ${applied.join(', ')}`);
    });
}

/**
 * `wardroom migrate`: create roles and schema if needed and apply pending
 * SQL migrations (safe to run concurrently: it waits on an advisory lock).
 */
import type { Command } from 'commander';
import { migrate } from '../db/migrate.js';
import { configFrom, withTarget, type Output } from './context.js';

export function registerMigrate(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  program
    .command('migrate')
    .description(
      'Apply pending migrations from migrations/ (roles and schema are created first if missing)',
    )
    .action(async () => {
      const config = configFrom(env);
      const applied = await withTarget(
        config,
        (t) => migrate({ adminUrl: t.adminUrl, roles: t.roles, appPassword: t.appPassword }),
        { mayCreate: true },
      );
      io.out(applied.length === 0 ? 'Database is up to date' : `Applied: ${applied.join(', ')}`);
    });
}

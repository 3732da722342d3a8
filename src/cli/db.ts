/**
 * `wardroom db check` and `wardroom db url`.
 */
import type { Command } from 'commander';
import { checkDatabaseAt } from '../db/check.js';
import { requireAdminUrl } from '../db/connect.js';
import { AppError } from '../base/errors.js';
import { configFrom, withTarget, type Output } from './context.js';

export function registerDb(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const db = program.command('db').description('Inspect the database');
  db.command('check')
    .description(
      'Prove the live database keeps the isolation invariants (RLS forced with tenant policies on every ' +
        'tenant table, app role without ownership, BYPASSRLS or TRUNCATE, safe views and functions, ' +
        'composite tenant foreign keys, the jobs role limited to the job queue and the app role kept ' +
        'out of it). Exits 1 naming every offender.',
    )
    .action(async () => {
      const config = configFrom(env);
      const findings = await withTarget(config, (t) =>
        checkDatabaseAt(requireAdminUrl(t, 'wardroom db check'), t.roles),
      );
      if (findings.length === 0) {
        io.out('db check: ok');
        return;
      }
      for (const f of findings) io.err(`${f.rule}: ${f.object}: ${f.message}`);
      throw new AppError('validation_failed', `db check failed: ${findings.length} problem(s)`);
    });
  db.command('url')
    .description('Print the connection URL of the database in use')
    .option(
      '--role <role>',
      'admin (migrations, checks) or app (what the server connects as)',
      'admin',
    )
    .action(async (opts: { role: string }) => {
      if (opts.role !== 'admin' && opts.role !== 'app') {
        throw new AppError('bad_request', '--role must be admin or app');
      }
      const config = configFrom(env);
      const url = await withTarget(config, (t) => {
        if (t.embedded?.isOwner === true)
          io.err('note: the embedded PostgreSQL is not running; start it with `wardroom start`');
        return Promise.resolve(
          opts.role === 'app' ? t.appUrl : requireAdminUrl(t, 'wardroom db url --role admin'),
        );
      });
      io.out(url);
    });
}

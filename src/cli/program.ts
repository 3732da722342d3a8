/**
 * The `wardroom` command tree. Built as a function of (env, io) so tests run
 * commands in process with their own environment and captured output.
 */
import { Command } from 'commander';
import type { Output } from './context.js';
import { registerAudit } from './audit.js';
import { registerCredentials } from './credentials.js';
import { registerDb } from './db.js';
import { registerKeys } from './keys.js';
import { registerMigrate } from './migrate.js';
import { registerOps } from './ops.js';
import { registerPrivacy } from './privacy.js';
import { registerStart } from './start.js';
import { registerStatus } from './status.js';
import { registerToken } from './token.js';
import { registerWorkspace } from './workspace.js';

export function buildProgram(env: NodeJS.ProcessEnv, io: Output): Command {
  const program = new Command('wardroom')
    .description(
      'Wardroom: multi-tenant AI workspace backend (Postgres RLS isolation, per-workspace encryption).\n' +
        'Configuration comes from the environment; docs/configuration.md lists every variable.',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s.trimEnd()),
      writeErr: (s) => io.err(s.trimEnd()),
    });
  for (const register of [
    registerStart,
    registerMigrate,
    registerDb,
    registerOps,
    registerWorkspace,
    registerKeys,
    registerToken,
    registerAudit,
    registerStatus,
    registerCredentials,
    registerPrivacy,
  ]) {
    register(program, env, io);
  }
  return program;
}

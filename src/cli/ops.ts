/**
 * `wardroom ops psql --reason "…"`: the operator gate. Records who, why and
 * when as an `ops.session_opened` audit event in every workspace, then runs
 * psql (stdio inherited) connected as the admin user with the ops role set
 * at connection start. Arguments after `--` go to psql; `--psql` (or
 * WARDROOM_PSQL) names another binary.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import type { Command } from 'commander';
import { AppError } from '../base/errors.js';
import { OpsGateRefused, openOpsSession } from '../db/ops-gate.js';
import { configFrom, withTarget, type Output } from './context.js';
import { requireAdminUrl } from '../db/connect.js';

interface PsqlOptions {
  readonly reason: string;
  readonly psql?: string;
}

export function registerOps(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const ops = program.command('ops').description('Operator access, recorded in the audit log');
  ops
    .command('psql')
    .description(
      'Open psql as the ops role (no owner rights, cannot silence triggers), after recording ' +
        'who, why and when as an ops.session_opened event in every workspace.',
    )
    .requiredOption('--reason <text>', 'why the session is needed (recorded)')
    .option('--psql <path>', 'psql binary (default: WARDROOM_PSQL or psql on PATH)')
    .argument('[psqlArgs...]', 'arguments passed to psql (after --)')
    .action(async (psqlArgs: string[], opts: PsqlOptions) => {
      const config = configFrom(env);
      const code = await withTarget(config, async (t) => {
        const adminUrl = requireAdminUrl(t, 'wardroom ops psql');
        const opened = await openGate(adminUrl, t.roles, opts.reason, env);
        io.err(`ops session recorded in ${opened.workspaces} workspace(s); role ${t.roles.ops}`);
        const binary = opts.psql ?? env['WARDROOM_PSQL'] ?? 'psql';
        return runPsql(binary, [adminUrl, ...psqlArgs], { ...env, ...opened.env });
      });
      if (code !== 0) throw new AppError('internal', `psql exited with status ${code}`);
    });
}

async function openGate(
  adminUrl: string,
  roles: Parameters<typeof openOpsSession>[0]['roles'],
  reason: string,
  env: NodeJS.ProcessEnv,
) {
  try {
    return await openOpsSession({ adminUrl, roles, reason, osUser: osUser(env) }, env);
  } catch (error) {
    if (error instanceof OpsGateRefused) {
      throw new AppError('forbidden', `${error.message}; run wardroom db check`);
    }
    if (error instanceof Error && error.message.includes('needs a reason')) {
      throw new AppError('bad_request', error.message);
    }
    throw error;
  }
}

function osUser(env: NodeJS.ProcessEnv): string {
  const name = os.userInfo().username;
  const sudo = env['SUDO_USER'];
  return sudo !== undefined && sudo !== '' && sudo !== name ? `${sudo} (as ${name})` : name;
}

function runPsql(binary: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 0 : 1)));
  });
}

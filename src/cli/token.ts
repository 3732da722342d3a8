/**
 * `wardroom token create` and `wardroom token revoke`.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../base/errors.js';
import {
  createApiTokenForEmail,
  MAX_TOKEN_DAYS,
  revokeApiToken,
  parseToken,
} from '../modules/tenancy/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator } from './operator.js';

const uuid = z.uuid();

/** `--expires-in-days`: a whole number of days, 1 to 365, as the HTTP route allows. */
function expiryFrom(days: string | undefined): Date | null {
  if (days === undefined) return null;
  const n = Number(days);
  if (!/^\d+$/.test(days) || !Number.isInteger(n) || n < 1 || n > MAX_TOKEN_DAYS) {
    throw new AppError(
      'validation_failed',
      `--expires-in-days must be a whole number from 1 to ${MAX_TOKEN_DAYS}`,
    );
  }
  return new Date(Date.now() + n * 24 * 60 * 60 * 1000);
}

function requireUuid(value: string, flag: string): string {
  if (!uuid.safeParse(value).success)
    throw new AppError('validation_failed', `${flag} must be a UUID`);
  return value;
}

interface CreateOptions {
  workspace: string;
  email: string;
  name: string;
  expiresInDays?: string;
  json?: boolean;
}

export function registerToken(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const token = program.command('token').description('Manage API tokens');
  token
    .command('create')
    .description('Create an API token for a workspace member (printed once; only a hash is kept)')
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--email <email>', "the member's email")
    .option('--name <name>', 'a label for the token', '')
    .option(
      '--expires-in-days <n>',
      `the token stops working after n days (1 to ${MAX_TOKEN_DAYS}); default: never`,
    )
    .option('--json', 'print {"token_id", "token"} as JSON')
    .action(async (opts: CreateOptions) => {
      const ws = requireUuid(opts.workspace, '--workspace');
      const expiresAt = expiryFrom(opts.expiresInDays);
      const created = await withWardroom(configFrom(env), (w) =>
        w.db.withTenant(operator(ws, 'wardroom token create'), (tx) =>
          createApiTokenForEmail(tx, { email: opts.email, name: opts.name, expiresAt }),
        ),
      );
      io.out(
        opts.json === true
          ? JSON.stringify({ token_id: created.id, token: created.token })
          : created.token,
      );
    });
  token
    .command('revoke')
    .description('Revoke an API token, given the token itself or --workspace and --id')
    .argument('[token]', 'the wr_ token to revoke')
    .option('--workspace <id>', 'workspace id (with --id)')
    .option('--id <tokenId>', 'token id (with --workspace)')
    .action(async (raw: string | undefined, opts: { workspace?: string; id?: string }) => {
      const parsed = raw === undefined ? undefined : parseToken(raw);
      if (raw !== undefined && parsed === undefined)
        throw new AppError('validation_failed', 'Not a Wardroom token');
      const ws = parsed?.tenantId ?? requireUuid(opts.workspace ?? '', '--workspace');
      const id = parsed?.tokenId ?? requireUuid(opts.id ?? '', '--id');
      await withWardroom(configFrom(env), (w) =>
        w.db.withTenant(operator(ws), (tx) => revokeApiToken(tx, id)),
      );
      io.out(`Token ${id} revoked`);
    });
}

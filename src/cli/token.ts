/**
 * `wardroom token create` and `wardroom token revoke`.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError } from '../base/errors.js';
import { createApiTokenForEmail, revokeApiToken, parseToken } from '../modules/tenancy/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator } from './operator.js';

const uuid = z.uuid();

function requireUuid(value: string, flag: string): string {
  if (!uuid.safeParse(value).success)
    throw new AppError('validation_failed', `${flag} must be a UUID`);
  return value;
}

export function registerToken(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const token = program.command('token').description('Manage API tokens');
  token
    .command('create')
    .description('Create an API token for a workspace member (printed once; only a hash is kept)')
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--email <email>', "the member's email")
    .option('--name <name>', 'a label for the token', '')
    .option('--json', 'print {"token_id", "token"} as JSON')
    .action(async (opts: { workspace: string; email: string; name: string; json?: boolean }) => {
      const ws = requireUuid(opts.workspace, '--workspace');
      const created = await withWardroom(configFrom(env), (w) =>
        w.db.withTenant(operator(ws, 'wardroom token create'), (tx) =>
          createApiTokenForEmail(tx, { email: opts.email, name: opts.name }),
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

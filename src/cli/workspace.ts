/**
 * `wardroom workspace create`: a workspace, its owner, its data key and a
 * first API token (printed once; only its hash is stored).
 */
import type { Command } from 'commander';
import { createWorkspace, REGIONS, type Region } from '../modules/tenancy/index.js';
import { AppError } from '../base/errors.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator } from './operator.js';

interface CreateOpts {
  name: string;
  region: string;
  ownerEmail: string;
  ownerName?: string;
  json?: boolean;
}

export function registerWorkspace(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const workspace = program.command('workspace').description('Manage workspaces');
  workspace
    .command('create')
    .description('Create a workspace with its owner, data key and a first owner API token')
    .requiredOption('--name <name>', 'workspace name')
    .option('--region <region>', `data region: ${REGIONS.join(' | ')}`, 'us')
    .requiredOption('--owner-email <email>', "the owner's email")
    .option('--owner-name <name>', "the owner's display name")
    .option('--json', 'print {"workspace_id", "token"} as JSON')
    .action(async (opts: CreateOpts) => {
      if (!(REGIONS as readonly string[]).includes(opts.region)) {
        throw new AppError('validation_failed', `--region must be one of ${REGIONS.join(', ')}`);
      }
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(opts.ownerEmail)) {
        throw new AppError('validation_failed', '--owner-email is not an email address');
      }
      const created = await withWardroom(configFrom(env), (w) =>
        createWorkspace(
          w.db,
          w.keyring,
          {
            name: opts.name,
            region: opts.region as Region,
            ownerEmail: opts.ownerEmail,
            ...(opts.ownerName === undefined ? {} : { ownerName: opts.ownerName }),
          },
          (id) => operator(id, 'wardroom workspace create'),
        ),
      );
      if (opts.json === true) {
        io.out(JSON.stringify({ workspace_id: created.workspaceId, token: created.token }));
        return;
      }
      io.out(`Workspace ${created.workspaceId} created (region ${opts.region}).`);
      io.out(`Owner API token (shown once, store it now): ${created.token}`);
    });
}

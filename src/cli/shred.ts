/**
 * `wardroom workspace shred ID --confirm NAME` and
 * `wardroom keys verify-receipt FILE`: crypto-shredding by an operator, and
 * offline verification of a shred receipt.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../base/errors.js';
import { shredWorkspace, verifyShredReceipt } from '../modules/keys/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator, workspaceId } from './operator.js';

export function registerShred(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  // `workspace` is registered by workspace.ts; shredding joins that group.
  const workspace =
    program.commands.find((c) => c.name() === 'workspace') ??
    program.command('workspace').description('Manage workspaces');
  workspace
    .command('shred')
    .description(
      'Crypto-shred a workspace: destroy every version of its data key and its root key in the ' +
        'workspace key store, so none of its sealed data opens again, not even from a restored ' +
        'database backup (irreversible); then delete its stored objects (exports). Prints the ' +
        'signed shred receipt as JSON, and the count of objects deleted on stderr',
    )
    .argument('<id>', 'workspace id')
    .requiredOption('--confirm <name>', "the workspace's name, exactly")
    .action(async (id: string, opts: { confirm: string }) => {
      const tenantId = workspaceId(id);
      const { receipt, deleted } = await withWardroom(configFrom(env), async (w) => {
        const principal = operator(tenantId);
        const signed = await w.db.withTenant(principal, (tx) =>
          shredWorkspace(
            tx,
            { keyring: w.keyring, signer: w.auditSigner },
            { confirm: opts.confirm },
          ),
        );
        // Once the shred has committed: the stored objects go too (audited with their count).
        return {
          receipt: signed,
          deleted: await w.storage.deleteShreddedObjects(principal, 'cli'),
        };
      });
      io.out(JSON.stringify(receipt));
      io.err(`deleted ${deleted} stored object(s) of the workspace`);
    });
  const keys = program.commands.find((c) => c.name() === 'keys');
  if (keys === undefined) throw new Error('register the keys command group first');
  keys
    .command('verify-receipt')
    .description(
      'Check a shred receipt (the JSON printed by `workspace shred`): its signature over the ' +
        'receipt, that signing_key_id names the public key it carries, and with --public-key that ' +
        'the carried key is that one. Any changed field, signature or key fails.',
    )
    .argument('<file>', 'the receipt file')
    .option(
      '--public-key <base64>',
      'the published audit public key (/.well-known/wardroom-audit-key): proves who signed',
    )
    .action(async (file: string, opts: { publicKey?: string }) => {
      let json: unknown;
      try {
        json = JSON.parse(await fs.readFile(file, 'utf8'));
      } catch {
        throw new AppError('validation_failed', `${file} is not a readable JSON file`);
      }
      if (!verifyShredReceipt(json, opts.publicKey)) {
        throw new AppError('validation_failed', 'shred receipt signature is NOT valid');
      }
      io.out(
        opts.publicKey === undefined
          ? 'shred receipt: signature valid for the key it names (pass --public-key to check who signed)'
          : 'shred receipt: signature valid',
      );
    });
}

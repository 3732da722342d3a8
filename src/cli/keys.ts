/**
 * `wardroom keys rotate-master | rotate | resume | status | set-min-version | seal-names`
 * (and `wardroom workspace shred`, in shred.ts). Operator commands: every
 * change they make is recorded in the audit log with actor_type `ops`.
 */
import type { Command } from 'commander';
import { AppError } from '../base/errors.js';
import {
  keyStatus,
  listWorkspaces,
  rotateMaster,
  setMinVersion,
  type KeyStatus,
} from '../modules/keys/index.js';
import { usesEmbedded } from '../db/connect.js';
import { writeMasterKeyCheck } from '../modules/crypto/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { registerResume, registerRotate } from './keys-rotate.js';
import { registerSealNames } from './keys-seal-names.js';
import { positiveInt } from './keys-support.js';
import { operator, workspaceId } from './operator.js';
import { registerShred } from './shred.js';

export function registerKeys(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const keys = program
    .command('keys')
    .description('Rotate master and data keys, watch re-encryption, retire old key versions');
  registerRotateMaster(keys, env, io);
  registerRotate(keys, env, io);
  registerResume(keys, env, io);
  registerStatus(keys, env, io);
  registerSetMinVersion(keys, env, io);
  registerSealNames(keys, env, io);
  registerShred(program, env, io);
}

/** `keys rotate-master`: rewrap every data key version under the current master key. */
function registerRotateMaster(keys: Command, env: NodeJS.ProcessEnv, io: Output): void {
  keys
    .command('rotate-master')
    .description(
      "Rewrap every workspace's data key versions under the master key provider's current version " +
        '(one provider call per key version; no sealed row is touched). Configure the new master key ' +
        'version first, keeping the old one readable, then run this.',
    )
    .option('--every <n>', 'print progress every n workspaces', '100')
    .action(async (opts: { every: string }) => {
      const every = positiveInt(opts.every, '--every');
      const config = configFrom(env);
      const result = await withWardroom(config, async (w) => {
        io.out(`Rewrapping data keys under ${w.kek.id} v${w.kek.version}`);
        const done = await rotateMaster(w.db, w.kek, {
          every,
          actor: (id) => operator(id, 'wardroom keys rotate-master'),
          onProgress: (p) =>
            io.out(`${p.done}/${p.total} workspaces, ${p.rewrapped} key version(s) rewrapped`),
        });
        // Every data key is now under the current master key: so is the data folder's check.
        if (done.failed.length === 0 && usesEmbedded(config)) {
          await writeMasterKeyCheck(w.kek, config.dataDir);
        }
        return done;
      });
      for (const f of result.failed) io.err(`FAILED ${f.tenantId}: ${f.code}`);
      if (result.failed.length > 0) {
        throw new AppError('key_unavailable', `${result.failed.length} workspace(s) not rewrapped`);
      }
    });
}

/** `keys status`: key versions, rows per version, the latest sweep. */
function registerStatus(keys: Command, env: NodeJS.ProcessEnv, io: Output): void {
  keys
    .command('status')
    .description(
      'Key versions, rows per key version of each sealed field, and the latest sweep, per workspace',
    )
    .option('--workspace <id>', 'one workspace (default: all)')
    .option('--json', 'print one JSON object per workspace')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withWardroom(configFrom(env), async (w) => {
        const ids =
          opts.workspace === undefined
            ? await listWorkspaces(w.db, 'keys: status of every workspace')
            : [workspaceId(opts.workspace)];
        for (const id of ids) {
          const status = await w.db.withTenant(operator(id), (tx) => keyStatus(tx, id));
          if (opts.json === true) io.out(JSON.stringify(status));
          else printStatus(io, status);
        }
      });
    });
}

/** `keys set-min-version`: retire the versions below N. */
function registerSetMinVersion(keys: Command, env: NodeJS.ProcessEnv, io: Output): void {
  keys
    .command('set-min-version')
    .description(
      'Refuse, from now on, to open anything sealed under a data key version below N (refused while ' +
        'rows still use one)',
    )
    .requiredOption('--workspace <id>', 'workspace id')
    .requiredOption('--version <n>', 'the lowest data key version that may still open')
    .action(async (opts: { workspace: string; version: string }) => {
      const id = workspaceId(opts.workspace);
      const version = positiveInt(opts.version, '--version');
      await withWardroom(configFrom(env), (w) =>
        w.db.withTenant(operator(id), (tx) => setMinVersion(tx, version)),
      );
      io.out(`${id}: data key versions below ${version} no longer open`);
    });
}

function printStatus(io: Output, s: KeyStatus): void {
  io.out(`workspace ${s.workspace_id}${s.shredded ? ' (shredded: no keys remain)' : ''}`);
  for (const v of s.versions) {
    const primary = v.primary ? ' primary' : '';
    const rooted = v.rooted ? ', rooted' : ', not rooted';
    io.out(
      `  key v${v.version}${primary}: kek ${v.kek_id} v${v.kek_version}${rooted}, created ${v.created_at}`,
    );
  }
  const root = s.root_key === null ? 'none' : `${s.root_key.store} ${s.root_key.ref}`;
  io.out(`  root key: ${root}`);
  io.out(`  minimum decryption version: ${s.min_version}`);
  for (const f of s.fields) {
    const counts = Object.entries(f.rows_by_version).map(([v, n]) => `v${v}: ${n}`);
    io.out(
      `  ${f.field}: ${counts.join(', ') || 'no rows'}; ${f.rows_on_old_versions} on older versions`,
    );
  }
  const w = s.sweep;
  if (w !== null) {
    const error = w.error === null ? '' : ` (${w.error})`;
    io.out(`  sweep to v${w.to_version}: ${w.status}${error}, ${w.rows_done}/${w.rows_total} rows`);
  }
}

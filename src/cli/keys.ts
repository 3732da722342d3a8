/**
 * `wardroom keys rotate-master | rotate | resume | status | set-min-version`
 * (and `wardroom workspace shred`, in shred.ts). Operator commands: every
 * change they make is recorded in the audit log with actor_type `ops`.
 */
import type { Command } from 'commander';
import type { Wardroom } from '../app.js';
import type { Config } from '../base/config.js';
import { AppError, isAppError } from '../base/errors.js';
import {
  enqueueRotation,
  startRotationWorker,
  setMinVersion,
  watchRotations,
  type WatchedRotation,
  rotateMaster,
  startRotation,
  keyStatus,
  type KeyStatus,
  listWorkspaces,
} from '../modules/keys/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator, workspaceId } from './operator.js';
import { registerShred } from './shred.js';

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new AppError('validation_failed', `${flag} must be a positive whole number`);
  }
  return n;
}

async function targets(w: Wardroom, opts: { workspace?: string; all?: boolean }, why: string) {
  if ((opts.workspace === undefined) === (opts.all !== true)) {
    throw new AppError('validation_failed', 'give either --workspace ID or --all');
  }
  return opts.workspace === undefined ? listWorkspaces(w.db, why) : [workspaceId(opts.workspace)];
}

/** Runs a worker in this process and prints progress until the sweeps finish. */
async function waitFor(
  w: Wardroom,
  io: Output,
  rotations: WatchedRotation[],
  sweep: { batchSize: number; writers: number },
) {
  if (rotations.length === 0) return;
  const worker = await startRotationWorker(await w.jobs(), w, sweep);
  try {
    let shown = '';
    const final = await watchRotations(w.db, rotations, {
      onTick: (t) => {
        const line =
          `sweep: ${t.rowsDone}/${t.rowsTotal} rows re-sealed, ${t.rowsPerSecond} rows/s, ` +
          `${t.finished}/${t.rotations} workspace(s) finished`;
        if (line !== shown) io.out(line);
        shown = line;
      },
    });
    for (const f of final.failed) io.err(`FAILED ${f.tenantId}: ${f.error ?? 'unknown'}`);
    if (final.failed.length > 0) {
      throw new AppError(
        'conflict',
        `${final.failed.length} sweep(s) failed; fix the cause and run \`wardroom keys resume\``,
      );
    }
  } finally {
    await worker.stop();
  }
}

interface RotateOpts {
  workspace?: string;
  all?: boolean;
  wait: boolean;
  batchSize?: string;
  writers?: string;
}

function writerCount(value: string): number {
  const n = positiveInt(value, '--writers');
  if (n > 8) throw new AppError('validation_failed', '--writers must be between 1 and 8');
  return n;
}

/** The flags that tune a sweep run by the command itself. */
function sweepFlags(command: Command): Command {
  return command
    .option(
      '--batch-size <n>',
      'rows per sweep transaction (default WARDROOM_KEY_SWEEP_BATCH_SIZE)',
    )
    .option(
      '--writers <n>',
      'sweep batches committing at once, each on its own connection (default WARDROOM_KEY_SWEEP_WRITERS)',
    );
}

/** Sweep settings: the command's flags, else the configuration's. */
function sweepSettings(opts: RotateOpts, config: Config): { batchSize: number; writers: number } {
  return {
    batchSize:
      opts.batchSize === undefined
        ? config.keySweepBatchSize
        : positiveInt(opts.batchSize, '--batch-size'),
    writers: opts.writers === undefined ? config.keySweepWriters : writerCount(opts.writers),
  };
}

function printStatus(io: Output, s: KeyStatus): void {
  io.out(`workspace ${s.workspace_id}${s.shredded ? ' (shredded: no keys remain)' : ''}`);
  for (const v of s.versions) {
    const primary = v.primary ? ' primary' : '';
    io.out(
      `  key v${v.version}${primary}: kek ${v.kek_id} v${v.kek_version}, created ${v.created_at}`,
    );
  }
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

export function registerKeys(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const keys = program
    .command('keys')
    .description('Rotate master and data keys, watch re-encryption, retire old key versions');
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
      const result = await withWardroom(configFrom(env), async (w) => {
        io.out(`Rewrapping data keys under ${w.kek.id} v${w.kek.version}`);
        return rotateMaster(w.db, w.kek, {
          every,
          onProgress: (p) =>
            io.out(`${p.done}/${p.total} workspaces, ${p.rewrapped} key version(s) rewrapped`),
        });
      });
      for (const f of result.failed) io.err(`FAILED ${f.tenantId}: ${f.code}`);
      if (result.failed.length > 0) {
        throw new AppError('key_unavailable', `${result.failed.length} workspace(s) not rewrapped`);
      }
    });
  sweepFlags(keys.command('rotate'))
    .description(
      'Create data key version n+1 as the primary (new writes use it at once, in every process), then ' +
        're-seal every sealed field still on an older version in a resumable background sweep. ' +
        'Waits and shows progress unless --no-wait (then the server worker does the sweep).',
    )
    .option('--workspace <id>', 'one workspace')
    .option('--all', 'every workspace')
    .option('--no-wait', 'only queue the sweep for the server worker')
    .action(async (opts: RotateOpts) => {
      const config = configFrom(env);
      const sweep = sweepSettings(opts, config);
      await withWardroom(config, async (w) => {
        const ids = await targets(w, opts, 'keys: rotate every workspace data key');
        const boss = await w.jobs();
        const queued: WatchedRotation[] = [];
        for (const [i, id] of ids.entries()) {
          const principal = operator(id);
          const r = await startRotation(w.db, w.keyring, principal).catch((error: unknown) => {
            // With --all, a shredded workspace (no key left) is skipped, not fatal.
            if (opts.all !== true || !isAppError(error) || error.code !== 'key_unavailable') {
              throw error;
            }
            io.err(`${id}: skipped, no data key (shredded)`);
            return undefined;
          });
          if (r === undefined) continue;
          if (r.rowsTotal > 0) {
            await enqueueRotation(boss, w, r, principal);
            queued.push(r);
          }
          if (ids.length <= 20 || (i + 1) % 100 === 0 || i + 1 === ids.length) {
            io.out(
              `${id}: data key v${r.toVersion} is primary, ${r.rowsTotal} row(s) to re-seal` +
                (ids.length > 20 ? ` (${i + 1}/${ids.length})` : ''),
            );
          }
        }
        if (!opts.wait) {
          io.out(
            `${queued.length} sweep(s) queued for the server worker (see \`wardroom keys status\`)`,
          );
          return;
        }
        await waitFor(w, io, queued, sweep);
      });
    });
  sweepFlags(keys.command('resume'))
    .description(
      'Queue again the unfinished (pending, running or failed) sweeps, and wait for them',
    )
    .option('--workspace <id>', 'one workspace')
    .option('--all', 'every workspace')
    .option('--no-wait', 'only queue the sweeps for the server worker')
    .action(async (opts: RotateOpts) => {
      const config = configFrom(env);
      const sweep = sweepSettings(opts, config);
      await withWardroom(config, async (w) => {
        const ids = await targets(w, opts, 'keys: resume unfinished re-encryption sweeps');
        const boss = await w.jobs();
        const queued: WatchedRotation[] = [];
        for (const id of ids) {
          const open = await w.db.withTenant(operator(id), (tx) =>
            tx
              .selectFrom('key_rotations')
              .select('id')
              .where('status', 'in', ['pending', 'running', 'failed'])
              .execute(),
          );
          for (const r of open) {
            const rotation = { tenantId: id, rotationId: r.id };
            await enqueueRotation(boss, w, rotation, operator(id));
            queued.push(rotation);
          }
        }
        io.out(`${queued.length} sweep(s) queued`);
        if (opts.wait) await waitFor(w, io, queued, sweep);
      });
    });
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
  registerShred(program, env, io);
}

/**
 * `wardroom keys rotate` and `keys resume`: start data key rotations and run
 * (or queue) their re-encryption sweeps.
 */
import type { Command } from 'commander';
import { isAppError } from '../base/errors.js';
import {
  enqueueRotation,
  startRotation,
  unfinishedRotations,
  type WatchedRotation,
} from '../modules/keys/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { sweepFlags, sweepSettings, targets, waitFor, type RotateOpts } from './keys-support.js';
import { operator } from './operator.js';

/** `keys rotate`: a new primary data key version, then the sweep. */
export function registerRotate(keys: Command, env: NodeJS.ProcessEnv, io: Output): void {
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
}

/** `keys resume`: queue the unfinished sweeps again, and wait for them. */
export function registerResume(keys: Command, env: NodeJS.ProcessEnv, io: Output): void {
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
          const open = await w.db.withTenant(operator(id), (tx) => unfinishedRotations(tx));
          for (const rotationId of open) {
            const rotation = { tenantId: id, rotationId };
            await enqueueRotation(boss, w, rotation, operator(id));
            queued.push(rotation);
          }
        }
        io.out(`${queued.length} sweep(s) queued`);
        if (opts.wait) await waitFor(w, io, queued, sweep);
      });
    });
}

/**
 * What the key commands share: numeric flags, --workspace/--all targets,
 * the sweep tuning flags, and running a sweep in this process while
 * printing its progress.
 */
import type { Command } from 'commander';
import type { Wardroom } from '../app.js';
import type { Config } from '../base/config.js';
import { AppError } from '../base/errors.js';
import {
  listWorkspaces,
  startRotationWorker,
  watchRotations,
  type WatchedRotation,
} from '../modules/keys/index.js';
import type { Output } from './context.js';
import { workspaceId } from './operator.js';

export function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new AppError('validation_failed', `${flag} must be a positive whole number`);
  }
  return n;
}

export async function targets(
  w: Wardroom,
  opts: { workspace?: string; all?: boolean },
  why: string,
) {
  if ((opts.workspace === undefined) === (opts.all !== true)) {
    throw new AppError('validation_failed', 'give either --workspace ID or --all');
  }
  return opts.workspace === undefined ? listWorkspaces(w.db, why) : [workspaceId(opts.workspace)];
}

export /** Runs a worker in this process and prints progress until the sweeps finish. */
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

export interface RotateOpts {
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

export /** The flags that tune a sweep run by the command itself. */
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
export function sweepSettings(
  opts: RotateOpts,
  config: Config,
): { batchSize: number; writers: number } {
  return {
    batchSize:
      opts.batchSize === undefined
        ? config.keySweepBatchSize
        : positiveInt(opts.batchSize, '--batch-size'),
    writers: opts.writers === undefined ? config.keySweepWriters : writerCount(opts.writers),
  };
}

/**
 * `wardroom status`: the operator's view of what the server checks on its
 * own. Per workspace, the newest scheduled audit verification (read from the
 * workspace's `audit.verified` / `audit.verification_failed` events); exits 1
 * when any workspace's newest verification failed.
 */
import type { Command } from 'commander';
import { AppError } from '../base/errors.js';
import {
  latestVerification,
  listWorkspaceIds,
  type VerificationStatus,
} from '../modules/audit/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator, workspaceId } from './operator.js';

const checkpointsUsed = (n: number) => `${n} signed checkpoint${n === 1 ? '' : 's'} used`;

/** Prints one workspace's line; true when its newest verification failed. */
function report(io: Output, id: string, v: VerificationStatus | undefined, json: boolean): boolean {
  if (json) {
    io.out(
      JSON.stringify({
        workspace_id: id,
        verification:
          v === undefined
            ? null
            : {
                verified_at: v.verifiedAt,
                ok: v.ok,
                events: v.events,
                head_seq: v.headSeq,
                first_bad_seq: v.firstBadSeq,
                checkpoints: v.checkpoints,
                problem: v.problem,
              },
      }),
    );
    return v?.ok === false;
  }
  if (v === undefined) io.out(`never ${id}: not verified by the server yet`);
  else if (v.ok)
    io.out(
      `ok ${id}: verified ${v.verifiedAt}, ${v.events} events, head seq ${v.headSeq}; ${checkpointsUsed(v.checkpoints)}`,
    );
  else
    io.out(
      `FAILED ${id}: verified ${v.verifiedAt}, first bad seq ${v.firstBadSeq ?? '?'}: ${v.problem ?? ''}; ${checkpointsUsed(v.checkpoints)}`,
    );
  return v?.ok === false;
}

export function registerStatus(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  program
    .command('status')
    .description(
      "Per workspace, the server's newest scheduled audit verification (when, ok or failed, first bad " +
        'sequence number, events, signed checkpoints used). Exits 1 when any workspace failed.',
    )
    .option('--workspace <id>', 'one workspace (default: all)')
    .option('--json', 'print one JSON object per workspace')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      const only = opts.workspace === undefined ? undefined : workspaceId(opts.workspace);
      const failed = await withWardroom(configFrom(env), async (w) => {
        const all = await listWorkspaceIds(w.db);
        if (only !== undefined && !all.includes(only))
          throw new AppError('not_found', `workspace ${only} does not exist`);
        let bad = 0;
        for (const id of only === undefined ? all : [only]) {
          const v = await w.db.withTenant(operator(id), (tx) => latestVerification(tx));
          if (report(io, id, v, opts.json === true)) bad += 1;
        }
        return bad;
      });
      if (failed > 0) {
        throw new AppError(
          'validation_failed',
          `the last audit verification failed for ${failed} workspace(s)`,
        );
      }
    });
}

/**
 * `wardroom audit verify | checkpoint | pending`.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import type { Wardroom } from '../app.js';
import type { Config } from '../base/config.js';
import { AppError } from '../base/errors.js';
import {
  checkpointAll,
  createCheckpoint,
  listWorkspaceIds,
  listPendingIntents,
  verifyExportFile,
  verifyWorkspace,
  type FileVerification,
  type WorkspaceVerification,
} from '../modules/audit/index.js';
import { configFrom, withWardroom, type Output } from './context.js';
import { operator } from './operator.js';

const uuid = z.uuid();

function workspaceOption(value: string | undefined): string | undefined {
  if (value !== undefined && !uuid.safeParse(value).success) {
    throw new AppError('validation_failed', '--workspace must be a UUID');
  }
  return value;
}

/** Every workspace, or only the one given, which must exist. */
async function workspaces(w: Wardroom, only: string | undefined): Promise<string[]> {
  const all = await listWorkspaceIds(w.db);
  if (only === undefined) return all;
  if (!all.includes(only)) throw new AppError('not_found', `workspace ${only} does not exist`);
  return [only];
}

const used = (n: number) => `${n} signed checkpoint${n === 1 ? '' : 's'} used`;

/** Prints one live verification; true when it passed. */
function reportLive(io: Output, r: WorkspaceVerification): boolean {
  const checkpoint = r.checkpoint === undefined ? '' : `, checkpoint seq ${r.checkpoint.seq}`;
  if (r.ok) {
    io.out(
      `ok ${r.tenantId}: ${r.events} events, head seq ${r.lastSeq}${checkpoint}; ${used(r.checkpointsUsed)}`,
    );
    return true;
  }
  io.err(
    `FAILED ${r.tenantId}: first bad seq ${r.firstBadSeq ?? '?'}: ${r.problem ?? ''}; ${used(r.checkpointsUsed)}`,
  );
  for (const d of r.disagreements.slice(0, 5)) io.err(`  checkpoint disagreement: ${d.problem}`);
  if (r.disagreements.length > 5) io.err(`  … and ${r.disagreements.length - 5} more`);
  return false;
}

/** Prints one file verification; true when it passed. */
function reportFile(io: Output, r: FileVerification): boolean {
  if (!r.ok) {
    io.err(
      `FAILED ${r.tenantId}: first bad seq ${r.firstBadSeq ?? '?'}: ${r.problem ?? ''}; ${used(r.checkpointsUsed)}`,
    );
    return false;
  }
  const what = r.completenessChecked
    ? `complete up to the signed head seq ${r.head?.seq ?? '?'}`
    : 'chain intact; completeness and authorship NOT checked (no --public-key)';
  io.out(
    `ok ${r.tenantId}: ${r.events} events, head seq ${r.lastSeq}, ${what}; ${used(r.checkpointsUsed)}`,
  );
  if (!r.completenessChecked) {
    io.err(
      'warning: without --public-key, events cut from the end of the file or a chain rehashed after an edit go unnoticed',
    );
  }
  if (r.newerCheckpoint !== undefined) {
    io.err(`note: a newer checkpoint (seq ${r.newerCheckpoint}) exists; the export predates it`);
  }
  return true;
}

export function registerAudit(program: Command, env: NodeJS.ProcessEnv, io: Output): void {
  const audit = program
    .command('audit')
    .description('Verify and checkpoint the tamper-evident audit log');
  registerVerify(audit, env, io);
  registerCheckpoint(audit, env, io);
  registerPending(audit, env, io);
}

/** `audit verify`: the live chains, or an exported file offline. */
function registerVerify(audit: Command, env: NodeJS.ProcessEnv, io: Output): void {
  audit
    .command('verify')
    .description(
      'Verify hash chains (the live database, or an exported .jsonl/.csv file offline) against the signed ' +
        'checkpoints (database and external folder; for a file, its signed head). Exits 1 naming the first bad ' +
        'sequence number. A file checked without --public-key is checked for chain integrity only.',
    )
    .option('--workspace <id>', 'only this workspace (default: all)')
    .option('--file <path>', 'verify an export from GET /activity/export instead of the database')
    .option(
      '--public-key <base64>',
      'with --file: the key from /.well-known/wardroom-audit-key; checks the signed head (completeness, authorship)',
    )
    .option(
      '--checkpoints <dir>',
      'with --file: folder of external checkpoints (default: configured folder)',
    )
    .action(
      async (opts: {
        workspace?: string;
        file?: string;
        publicKey?: string;
        checkpoints?: string;
      }) => {
        const only = workspaceOption(opts.workspace);
        const config = configFrom(env);
        if (opts.file === undefined) await verifyLive(config, io, only);
        else await verifyFile(opts.file, opts, config, io, only);
      },
    );
}

/** Verifies an exported file offline, against the checkpoints and key given. */
async function verifyFile(
  file: string,
  opts: { publicKey?: string; checkpoints?: string },
  config: Config,
  io: Output,
  only: string | undefined,
): Promise<void> {
  const result = await verifyExportFile(file, {
    checkpointDir: opts.checkpoints ?? config.auditCheckpointDir,
    ...(opts.publicKey === undefined ? {} : { publicKey: opts.publicKey }),
    ...(only === undefined ? {} : { tenantId: only }),
  });
  if (!reportFile(io, result))
    throw new AppError('validation_failed', `audit verify failed for ${file}`);
}

/** Verifies the live chains of one or every workspace. */
async function verifyLive(config: Config, io: Output, only: string | undefined): Promise<void> {
  const failed = await withWardroom(config, async (w) => {
    let bad = 0;
    for (const id of await workspaces(w, only)) {
      const r = await verifyWorkspace(w.db, id, {
        checkpointDir: config.auditCheckpointDir,
        publicKey: w.auditSigner.publicKey,
      });
      if (!reportLive(io, r)) bad += 1;
    }
    return bad;
  });
  if (failed > 0) {
    throw new AppError('validation_failed', `audit verify failed for ${failed} workspace(s)`);
  }
}

/** `audit checkpoint`: sign each chain head now. */
function registerCheckpoint(audit: Command, env: NodeJS.ProcessEnv, io: Output): void {
  audit
    .command('checkpoint')
    .description(
      'Sign the current head of each workspace chain now (also runs periodically in the server)',
    )
    .option('--workspace <id>', 'only this workspace (default: all)')
    .action(async (opts: { workspace?: string }) => {
      const only = workspaceOption(opts.workspace);
      const config = configFrom(env);
      const written = await withWardroom(config, async (w) => {
        if (only === undefined)
          return checkpointAll(w.db, w.auditSigner, config.auditCheckpointDir);
        await workspaces(w, only);
        const c = await createCheckpoint(w.db, w.auditSigner, config.auditCheckpointDir, only);
        return c === undefined ? 0 : 1;
      });
      io.out(`${written} checkpoint(s) written to ${config.auditCheckpointDir}`);
    });
}

/** `audit pending`: external-call intents with no outcome. */
function registerPending(audit: Command, env: NodeJS.ProcessEnv, io: Output): void {
  audit
    .command('pending')
    .description('List external-call intents that never got an outcome')
    .option('--workspace <id>', 'only this workspace (default: all)')
    .option('--older-than <seconds>', 'only intents at least this old', '60')
    .action(async (opts: { workspace?: string; olderThan: string }) => {
      const only = workspaceOption(opts.workspace);
      const seconds = Number(opts.olderThan);
      if (!Number.isInteger(seconds) || seconds < 0) {
        throw new AppError('validation_failed', '--older-than must be a whole number of seconds');
      }
      await withWardroom(configFrom(env), async (w) => {
        for (const id of await workspaces(w, only)) {
          const pending = await w.db.withTenant(operator(id), (tx) =>
            listPendingIntents(tx, seconds),
          );
          for (const p of pending) {
            io.out(
              `${id} seq ${p.seq} ${p.action} correlation ${p.correlation_id ?? '-'} at ${p.occurred_at.toISOString()}`,
            );
          }
        }
      });
    });
}

/**
 * Target processes: the baseline or the full stack, each forked into a
 * process of its own (bench/target.ts) so the load generator never shares an
 * event loop with the server it measures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { TestDatabase } from '../test/support/databases.js';
import {
  INIT_ENV,
  isTargetMessage,
  type TargetInit,
  type TargetKind,
  type TargetReady,
} from './protocol.js';

export interface Target extends TargetReady {
  readonly kind: TargetKind;
  readonly child: ChildProcess;
}

export type TargetSettings = Omit<TargetInit, 'kind' | 'adminUrl' | 'appUrl'> & {
  /** A directory: the full stack and the same-SQL reference write V8 CPU profiles in `full/` and `sql/` there. */
  readonly profileDir?: string | undefined;
};

export async function startTarget(
  kind: TargetKind,
  db: TestDatabase,
  settings: TargetSettings,
): Promise<Target> {
  const { profileDir, ...rest } = settings;
  const init: TargetInit = { ...rest, kind, adminUrl: db.adminUrl, appUrl: db.appUrl };
  const execArgv = [...process.execArgv];
  if (kind !== 'baseline' && profileDir !== undefined && profileDir !== '')
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${profileDir}/${kind}`);
  const child = fork(fileURLToPath(new URL('./target.ts', import.meta.url)), [], {
    env: { ...process.env, [INIT_ENV]: JSON.stringify(init) },
    execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit'),
  ])) as unknown[];
  if (!isTargetMessage(message)) throw new Error(`${kind} target exited before it was ready`);
  if (message.type === 'failed')
    throw new Error(`${kind} target failed to start:\n${message.message}`);
  return { ...message, kind, child };
}

export async function stopTarget(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  const exited = once(target.child, 'exit');
  target.child.send('stop');
  const timer = setTimeout(() => target.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

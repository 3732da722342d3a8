/**
 * Entry point of a target process (forked by run.ts): starts the baseline or
 * the full stack, reports its port and request specs, serves until told to
 * stop. Exits through process.exit so --cpu-prof profiles get written.
 */
import { startBaseline } from './baseline.js';
import { startFull } from './full.js';
import type { Started } from './started.js';
import { startSameSql } from './same-sql.js';
import { INIT_ENV, type TargetInit, type TargetMessage } from './protocol.js';

function send(message: TargetMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const init = JSON.parse(process.env[INIT_ENV] ?? '') as TargetInit;
  let target: Started;
  try {
    target =
      init.kind === 'full'
        ? await startFull(init)
        : init.kind === 'sql'
          ? await startSameSql(init)
          : await startBaseline(init);
  } catch (error) {
    send({
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(1);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void target.close().finally(() => process.exit(0));
  };
  process.on('message', (message) => {
    if (message === 'stop') stop();
  });
  process.once('disconnect', stop);
  send(target.ready);
}

void main();

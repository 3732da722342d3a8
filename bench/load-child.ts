/**
 * Entry point of a load-generator process (forked by loadFromChild in
 * load.ts): runs one autocannon load as told, stops early on 'stop', and
 * reports the result. Used where the bench process itself does measured
 * work (the rotation sweep), so the load generator does not share its
 * event loop.
 */
import type { RequestSpec } from './protocol.js';
import { load, LOAD_ENV, type LoadResult } from './load.js';

interface Job {
  readonly port: number;
  readonly specs: readonly RequestSpec[];
  readonly connections: number;
  readonly seconds: number;
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env[LOAD_ENV] ?? '') as Job;
  const stop = new AbortController();
  process.on('message', (message) => {
    if (message === 'stop') stop.abort();
  });
  process.once('disconnect', () => {
    stop.abort();
  });
  const result: LoadResult = await load(job.port, job.specs, {
    connections: job.connections,
    seconds: job.seconds,
    signal: stop.signal,
  });
  process.send?.(result, () => process.exit(0));
}

void main();

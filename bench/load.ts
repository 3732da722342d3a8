/** One autocannon run against a target, connections spread over its workspaces. */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request } from 'autocannon';
import type { RequestSpec } from './protocol.js';

export const LOAD_ENV = 'WARDROOM_BENCH_LOAD';

export interface LoadOptions {
  readonly connections: number;
  readonly seconds: number;
  /** Ends the run early (the result covers the time it ran). */
  readonly signal?: AbortSignal;
}

export interface LoadResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

export async function load(
  port: number,
  specs: readonly RequestSpec[],
  options: LoadOptions,
): Promise<LoadResult> {
  let next = 0;
  const config: autocannon.Options = {
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.seconds,
    // Each connection sticks to one workspace; connection k uses workspace k mod n.
    setupClient: (client) => {
      const spec = specs[next % specs.length]!;
      next += 1;
      const request: Request = {
        method: spec.method,
        path: spec.path,
        headers: { ...spec.headers },
      };
      if (spec.body !== undefined) request.body = spec.body;
      // setRequests, not setRequest: the latter lasts for one request only.
      client.setRequests([request]);
    },
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(config, (error: unknown, done: autocannon.Result) => {
      options.signal?.removeEventListener('abort', stop);
      if (error instanceof Error) reject(error);
      else if (error !== null && error !== undefined) reject(new Error('autocannon failed'));
      else resolve(done);
    });
    const stop = () => {
      instance.stop();
    };
    options.signal?.addEventListener('abort', stop, { once: true });
  });
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * The same run from a child process of its own (bench/load-child.ts), for
 * when this process does measured work meanwhile.
 */
export async function loadFromChild(
  port: number,
  specs: readonly RequestSpec[],
  options: LoadOptions,
): Promise<LoadResult> {
  const job = { port, specs, connections: options.connections, seconds: options.seconds };
  const child = fork(fileURLToPath(new URL('./load-child.ts', import.meta.url)), [], {
    env: { ...process.env, [LOAD_ENV]: JSON.stringify(job) },
    execArgv: process.execArgv,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const stop = () => child.send('stop');
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    const [message] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(() => [undefined]),
    ])) as unknown[];
    if (!isLoadResult(message)) throw new Error('load generator exited without a result');
    return message;
  } finally {
    options.signal?.removeEventListener('abort', stop);
    if (child.exitCode === null) child.kill();
  }
}

function isLoadResult(value: unknown): value is LoadResult {
  return typeof value === 'object' && value !== null && 'rps' in value && 'p99' in value;
}

/**
 * One autocannon run against a leg. Every request carries a body of its own
 * (a fresh nonce in the prompt), so a cache sees only misses. Latencies are
 * taken from autocannon's per-response timings (high-resolution, in ms),
 * not from its histogram, which keeps whole milliseconds: the gateway bench
 * reports added latency well under one.
 */
import { randomBytes } from 'node:crypto';
import autocannon, { type Request } from 'autocannon';
import { chatBody, type LegRequest } from './protocol.js';

export interface RunOptions {
  readonly connections: number;
  readonly seconds: number;
  readonly model: string;
  readonly stream: boolean;
}

export interface RunResult {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export async function run(
  port: number,
  requests: readonly LegRequest[],
  options: RunOptions,
): Promise<RunResult> {
  const prefix = randomBytes(4).toString('hex');
  let sent = 0;
  let next = 0;
  const setupRequest = (req: Request): Request => {
    sent += 1;
    return { ...req, body: chatBody(options.model, options.stream, `${prefix}-${sent}`) };
  };
  const latencies: number[] = [];
  const config: autocannon.Options = {
    url: `http://127.0.0.1:${port}`,
    connections: options.connections,
    duration: options.seconds,
    // Each connection sticks to one request shape (one workspace for Wardroom).
    setupClient: (client) => {
      const spec = requests[next % requests.length]!;
      next += 1;
      client.setRequests([
        { method: 'POST', path: spec.path, headers: { ...spec.headers }, setupRequest },
      ]);
    },
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(config, (error: unknown, done: autocannon.Result) => {
      if (error instanceof Error) reject(error);
      else if (error !== null && error !== undefined) reject(new Error('autocannon failed'));
      else resolve(done);
    });
    // autocannon emits every response with its timing (the type declares it on clients only).
    (instance as NodeJS.EventEmitter).on(
      'response',
      (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) latencies.push(ms);
      },
    );
  });
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.total / result.duration,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/**
 * `npm run bench:gateway`: what a gateway adds to an LLM call, Wardroom's
 * side by side with Portkey's open-source gateway (@portkey-ai/gateway from
 * npm). One fake OpenAI upstream on loopback answers a small fixed
 * completion (JSON, or SSE when asked to stream); the same client load goes
 * to it directly, through Portkey (pointed at it with its custom-host
 * header) and through Wardroom's OpenAI-compatible endpoint with a BYOK
 * key, a budget, the response cache (every request distinct: misses),
 * region routing and audit on. Each leg is timed first at low concurrency
 * (what one call costs: added p50/p99 against direct), then at full
 * concurrency (throughput). Verdicts print as MET or MISS; timings are
 * never asserted in tests.
 *
 * Env: BENCH_SECONDS (3, per phase and leg), BENCH_WARMUP_SECONDS (1),
 * BENCH_ROUNDS (1; legs alternate within a round, medians over rounds),
 * BENCH_CONNECTIONS (16), BENCH_LATENCY_CONNECTIONS (1), BENCH_WORKSPACES
 * (4: Wardroom's load is spread over them, within its per-workspace
 * concurrency limit), BENCH_MODES (json,stream), BENCH_LOG_LEVEL (silent),
 * BENCH_REDIS_URL (Wardroom's cache and limits in Redis; default
 * in-process), BENCH_DATABASE_URL | TEST_DATABASE_URL (else embedded).
 */
import os from 'node:os';
import { createTestDatabase, dropTestDatabase } from '../../test/support/databases.js';
import { openCluster } from '../cluster.js';
import { run, type RunOptions } from './load.js';
import {
  portkeyPackage,
  startPortkey,
  startUpstream,
  startWardroom,
  stopChild,
} from './processes.js';
import { chatBody, type LegRequest } from './protocol.js';
import { formatTable, LEGS, verdicts, type LegName, type ModeResults } from './report.js';
import { UPSTREAM_TEXT } from './upstream.js';
import type { RunResult } from './load.js';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw ?? ''}"`);
  return value;
};

const MODES = { json: false, stream: true } as const;
type Mode = keyof typeof MODES;

const settings = {
  seconds: num('BENCH_SECONDS', 3),
  warmup: num('BENCH_WARMUP_SECONDS', 1),
  rounds: num('BENCH_ROUNDS', 1),
  connections: num('BENCH_CONNECTIONS', 16),
  latencyConnections: num('BENCH_LATENCY_CONNECTIONS', 1),
  workspaces: num('BENCH_WORKSPACES', 4),
  modes: (process.env['BENCH_MODES'] ?? 'json,stream')
    .split(',')
    .filter((m): m is Mode => m in MODES),
  logLevel: process.env['BENCH_LOG_LEVEL'] ?? 'silent',
  redisUrl: process.env['BENCH_REDIS_URL'] || undefined,
  /** Priced in the shipped table; the fake upstream answers any model. */
  model: 'gpt-4o-mini',
};

interface Leg {
  readonly name: LegName;
  readonly port: number;
  readonly requests: readonly LegRequest[];
}

/** The text a JSON completion or an SSE stream of chunks carries. */
function textOf(body: string, stream: boolean): string {
  type Choice = { message?: { content?: string }; delta?: { content?: string } };
  if (!stream) {
    const json = JSON.parse(body) as { choices?: Choice[] };
    return json.choices?.[0]?.message?.content ?? '';
  }
  let text = '';
  for (const line of body.split('\n')) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice('data: '.length)) as { choices?: Choice[] };
    text += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}

/** One call per leg and mode before any load: a 200 carrying the upstream's answer intact. */
async function verify(leg: Leg): Promise<void> {
  for (const mode of settings.modes) {
    const stream = MODES[mode];
    for (const request of leg.requests) {
      const res = await fetch(`http://127.0.0.1:${leg.port}${request.path}`, {
        method: 'POST',
        headers: request.headers,
        body: chatBody(settings.model, stream, `verify-${Date.now()}-${Math.random()}`),
      });
      const body = await res.text();
      if (res.status !== 200 || textOf(body, stream) !== UPSTREAM_TEXT) {
        throw new Error(`${leg.name} ${mode}: ${res.status} ${body.slice(0, 400)}`);
      }
    }
  }
}

function environment(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return (
    `Node ${process.version}, ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown'}), ` +
    `load average at start ${load}, Portkey gateway ${portkeyPackage().version}`
  );
}

async function measure(legs: readonly Leg[]): Promise<ModeResults[]> {
  const all: ModeResults[] = [];
  for (const mode of settings.modes) {
    const base = { model: settings.model, stream: MODES[mode] };
    const samples = new Map<LegName, { latency: RunResult[]; load: RunResult[] }>(
      legs.map((l) => [l.name, { latency: [], load: [] }]),
    );
    for (const leg of legs) {
      await run(leg.port, leg.requests, {
        ...base,
        connections: settings.connections,
        seconds: settings.warmup,
      });
    }
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const leg of legs) {
        const phase = async (connections: number): Promise<RunResult> => {
          const options: RunOptions = { ...base, connections, seconds: settings.seconds };
          return run(leg.port, leg.requests, options);
        };
        process.stderr.write(`  ${mode} round ${round + 1}/${settings.rounds}: ${leg.name}...`);
        const latency = await phase(settings.latencyConnections);
        const load = await phase(settings.connections);
        process.stderr.write(` p50 ${latency.p50.toFixed(3)} ms, ${load.rps.toFixed(0)} req/s\n`);
        samples.get(leg.name)!.latency.push(latency);
        samples.get(leg.name)!.load.push(load);
      }
    }
    all.push({ mode, legs: Object.fromEntries(samples) });
  }
  return all;
}

async function main(): Promise<number> {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse())
      await fn().catch((e: unknown) => process.stderr.write(`cleanup: ${String(e)}\n`));
    cleanups.length = 0;
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const env = environment();
    process.stderr.write(`bench:gateway: ${env}\n`);
    const upstream = await startUpstream();
    cleanups.push(() => stopChild(upstream.process));
    const upstreamUrl = `http://127.0.0.1:${upstream.port}/v1`;
    const key = { authorization: 'Bearer sk-bench-direct-0123456789abcdef' };
    const json = { 'content-type': 'application/json' };
    const legs: Leg[] = [
      {
        name: 'direct',
        port: upstream.port,
        requests: [{ path: '/v1/chat/completions', headers: { ...key, ...json } }],
      },
    ];
    const portkey = await startPortkey();
    cleanups.push(() => stopChild(portkey.process));
    legs.push({
      name: 'portkey',
      port: portkey.port,
      requests: [
        {
          path: '/v1/chat/completions',
          headers: {
            ...key,
            ...json,
            'x-portkey-provider': 'openai',
            'x-portkey-custom-host': upstreamUrl,
          },
        },
      ],
    });
    const skipped: Partial<Record<LegName, string>> = {};
    const cluster = await openCluster();
    cleanups.push(() => cluster.stop());
    const db = await createTestDatabase(cluster.url);
    cleanups.push(() => dropTestDatabase(cluster.url, db));
    process.stderr.write(`  Wardroom on ${cluster.description}\n`);
    const wardroom = await startWardroom({
      adminUrl: db.adminUrl,
      appUrl: db.appUrl,
      jobsUrl: db.jobsUrl,
      rolePrefix: db.rolePrefix,
      openaiBaseUrl: upstreamUrl,
      workspaces: settings.workspaces,
      model: settings.model,
      logLevel: settings.logLevel,
      redisUrl: settings.redisUrl,
    });
    cleanups.push(() => stopChild(wardroom.process));
    let wardroomNotes: readonly string[] = [];
    if (wardroom.message.type === 'failed')
      throw new Error(`Wardroom failed to start:\n${wardroom.message.message}`);
    if (wardroom.message.type === 'skip') {
      skipped.wardroom = wardroom.message.reason;
      process.stderr.write(`  wardroom leg SKIPPED: ${wardroom.message.reason}\n`);
    } else {
      legs.push(
        { name: 'wardroom', port: wardroom.message.port, requests: wardroom.message.requests },
        {
          name: 'same-sql',
          port: wardroom.message.sameSqlPort,
          requests: wardroom.message.requests,
        },
      );
      wardroomNotes = wardroom.message.notes;
    }
    for (const leg of legs) await verify(leg);

    const results = await measure(legs);
    const s = settings;
    console.log(
      `\nGateway bench: ${env}\n` +
        `${s.latencyConnections} connection(s) for latency, ${s.connections} for throughput, ` +
        `${s.seconds} s per phase x ${s.rounds} round(s) (after ${s.warmup} s warm-up); medians; ` +
        `upstream: a fixed ${s.model} completion on loopback; every request distinct\n` +
        (wardroomNotes.length > 0 ? `wardroom: ${wardroomNotes.join('; ')}\n` : ''),
    );
    console.log(formatTable(results, skipped));
    console.log(
      '\n(p50/p99: at low concurrency; +p50/+p99: added over direct; req/s and p50 loaded: ' +
        'at full concurrency)',
    );
    const failed = results.reduce(
      (n, r) =>
        n +
        LEGS.reduce((m, leg) => {
          const samples = r.legs[leg];
          if (samples === undefined) return m;
          return (
            m + [...samples.latency, ...samples.load].reduce((k, x) => k + x.non2xx + x.errors, 0)
          );
        }, 0),
      0,
    );
    if (failed > 0) {
      console.log(
        `\nFAILED: ${failed} non-2xx responses or errors; the figures above are not meaningful.`,
      );
      return 1;
    }
    const missed = results.flatMap(verdicts).filter((v) => !v.met).length;
    if (missed > 0) console.log(`\n${missed} target(s) missed in this run.`);
    return 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

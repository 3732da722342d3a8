/**
 * `npm run bench`: throughput of the full Wardroom stack against a minimal
 * baseline doing the same inserts and selects on the same PostgreSQL, and
 * against a bare handler sending the full stack's own statements (same-sql.ts),
 * which splits the gap into what the database invariants cost and what the
 * application layer costs. Targets run in child processes; autocannon runs
 * here. Rounds alternate targets to spread drift on a shared machine;
 * medians are reported.
 *
 * Env: BENCH_DATABASE_URL | TEST_DATABASE_URL (else embedded), BENCH_SECONDS
 * (10), BENCH_ROUNDS (2), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (32),
 * BENCH_WORKSPACES (20), BENCH_LOG_LEVEL (silent; the full stack's logger),
 * BENCH_CPU_PROF (a directory: V8 CPU profiles of the full stack and the same-SQL reference, in full/ and sql/).
 */
import { createTestDatabase, dropTestDatabase } from '../test/support/databases.js';
import { appliedMigrations, openCluster } from './cluster.js';
import { appNameOf, openCpuMeter, type CpuMeter } from './cpu.js';
import { load, type LoadOptions } from './load.js';
import type { RequestSpec, Scenario, TargetKind } from './protocol.js';
import { startTarget, stopTarget, type Target } from './targets.js';
import { normalizeStatement } from './statements.js';
import { failures, formatTable, type Row, type Sample } from './stats.js';

const num = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw ?? ''}"`);
  return value;
};

const settings = {
  seconds: num('BENCH_SECONDS', 10),
  rounds: num('BENCH_ROUNDS', 2),
  warmup: num('BENCH_WARMUP_SECONDS', 2),
  connections: num('BENCH_CONNECTIONS', 32),
  workspaces: num('BENCH_WORKSPACES', 20),
  poolMax: 10,
  seedMessages: 50,
  logLevel: process.env['BENCH_LOG_LEVEL'] ?? 'silent',
  /** Which scenarios run (comma-separated; default all): post, read, sessionPost, sessionRead. */
  scenarios: (process.env['BENCH_SCENARIOS'] ?? '').split(',').filter((s) => s !== ''),
};
const CONTENT =
  'The quarterly review moved to Thursday; please bring the updated revenue model, the hiring plan and '
    .repeat(3)
    .slice(0, 200);

/** One request per scenario before any load: a 2xx, and a read returns the 50 seeded messages intact. */
async function verify(target: Target): Promise<void> {
  const call = async (spec: RequestSpec): Promise<unknown> => {
    const init: RequestInit = { method: spec.method, headers: spec.headers };
    if (spec.body !== undefined) init.body = spec.body;
    const res = await fetch(`http://127.0.0.1:${target.port}${spec.path}`, init);
    if (res.status < 200 || res.status > 299)
      throw new Error(`${target.kind} ${spec.method} ${spec.path}: ${res.status}`);
    return res.json();
  };
  for (const [post, read] of [
    [target.post, target.read],
    [target.sessionPost, target.sessionRead],
  ] as const) {
    const posted = (await call(post[0]!)) as { content?: unknown };
    const page = (await call(read[0]!)) as { items?: { content?: unknown }[] };
    const items = page.items ?? [];
    if (
      posted.content !== CONTENT ||
      items.length !== settings.seedMessages ||
      items.some((m) => m.content !== CONTENT)
    ) {
      throw new Error(`${target.kind}: responses do not carry the seeded content`);
    }
  }
}

/**
 * The same-SQL reference is honest only if it sends exactly the full stack's
 * statements: compared text by text (whitespace and case aside), in order.
 */
function checkSameStatements(targets: readonly Target[]): void {
  const full = targets.find((t) => t.kind === 'full');
  const sql = targets.find((t) => t.kind === 'sql');
  if (full === undefined || sql === undefined) return;
  for (const scenario of Object.keys(full.statements) as Scenario[]) {
    const a = full.statements[scenario].map(normalizeStatement);
    const b = sql.statements[scenario].map(normalizeStatement);
    if (a.length === 0 || a.join('\n') !== b.join('\n')) {
      throw new Error(
        `same-SQL reference does not send the full stack's statements for ${scenario}:\n` +
          `full:\n  ${a.join('\n  ')}\nsame SQL:\n  ${b.join('\n  ')}`,
      );
    }
    process.stderr.write(`  ${scenario}: both send the same ${a.length} statements\n`);
  }
}

async function measure(
  meter: CpuMeter,
  targets: readonly Target[],
  scenario: Scenario,
): Promise<Map<TargetKind, Sample[]>> {
  const samples = new Map<TargetKind, Sample[]>(targets.map((t) => [t.kind, []]));
  const base: Omit<LoadOptions, 'seconds'> = { connections: settings.connections };
  for (const t of targets) await load(t.port, t[scenario], { ...base, seconds: settings.warmup });
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const t of targets) {
      process.stderr.write(`  ${scenario} round ${round + 1}/${settings.rounds}: ${t.kind}...`);
      const { result, cpu } = await meter.measure(t.child.pid!, appNameOf(t.kind), () =>
        load(t.port, t[scenario], { ...base, seconds: settings.seconds }),
      );
      const sample = {
        ...result,
        nodeCpu: cpu.node / result.requests,
        pgCpu: cpu.pg / result.requests,
      };
      process.stderr.write(` ${sample.rps.toFixed(0)} req/s\n`);
      samples.get(t.kind)!.push(sample);
    }
  }
  return samples;
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
    const cluster = await openCluster();
    cleanups.push(() => cluster.stop());
    const db = await createTestDatabase(cluster.url);
    cleanups.push(() => dropTestDatabase(cluster.url, db));
    const dbName = new URL(db.adminUrl).pathname.slice(1);
    const migrations = await appliedMigrations(db.adminUrl);
    process.stderr.write(`bench: ${cluster.description}, database ${dbName}\n`);
    const targets: Target[] = [];
    for (const kind of ['baseline', 'sql', 'full'] as const) {
      const target = await startTarget(kind, db, {
        ...settings,
        content: CONTENT,
        profileDir: process.env['BENCH_CPU_PROF'],
      });
      cleanups.push(() => stopTarget(target));
      targets.push(target);
    }
    for (const t of targets) await verify(t);
    checkSameStatements(targets);
    const meter = await openCpuMeter(db.adminUrl);
    cleanups.push(() => meter.close());

    const rows: Row[] = [];
    for (const [scenario, label] of [
      ['post', 'POST message (200 B), bearer'],
      ['read', 'GET 50 messages, bearer'],
      ['sessionPost', 'POST message (200 B), session cookie'],
      ['sessionRead', 'GET 50 messages, session cookie'],
    ] as const) {
      if (settings.scenarios.length > 0 && !settings.scenarios.includes(scenario)) continue;
      const samples = await measure(meter, targets, scenario);
      rows.push({
        scenario: label,
        baseline: samples.get('baseline')!,
        sql: samples.get('sql')!,
        full: samples.get('full')!,
      });
    }
    const s = settings;
    console.log(
      `\nWardroom bench: ${s.connections} connections, ${s.seconds} s x ${s.rounds} rounds per target ` +
        `(after ${s.warmup} s warm-up), pool ${s.poolMax}, ${s.workspaces} workspaces, log level ${s.logLevel}; medians\n` +
        `schema: ${migrations}\n`,
    );
    console.log(formatTable(rows));
    const failed = rows.reduce(
      (n, r) => n + failures(r.baseline) + failures(r.sql) + failures(r.full),
      0,
    );
    if (failed > 0) {
      console.log(
        `\nFAILED: ${failed} non-2xx responses or errors; the figures above are not meaningful.`,
      );
      return 1;
    }
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

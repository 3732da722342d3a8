/**
 * `npm run bench` (audit part): audit events appended per second, as the app
 * role through RLS and the stamping trigger, against plain INSERTs into an
 * unchained table with no RLS, on the same PostgreSQL in the same run.
 * Two loads: 1,000 workspaces, and one hot workspace. Each uses 8 concurrent
 * writers with one event per transaction. Appends and plain inserts
 * alternate. Then it reports the chaining rate, and the rate of offline
 * verification (`verifyChain`, the code behind `wardroom audit verify`).
 *
 * Targets: across workspaces at least 0.5 of plain INSERT throughput, at
 * least 0.3 within one hot workspace, and verification above 200,000 events/s.
 * Env: as bench/run.ts, plus BENCH_AUDIT_SECONDS (5) and BENCH_VERIFY_EVENTS (200000).
 */
import { systemPrincipal } from '../src/db/principal.js';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, dropTestDatabase } from '../test/support/databases.js';
import { auditRecordSelect } from '../src/modules/audit/event.js';
import { verifyChain } from '../src/modules/audit/verify.js';
import { createDatabase } from '../src/db/database.js';
import { appliedMigrations, openCluster } from './cluster.js';
import { median } from './stats.js';

const seconds = Number(process.env['BENCH_AUDIT_SECONDS'] ?? 5);
const verifyEvents = Number(process.env['BENCH_VERIFY_EVENTS'] ?? 200_000);
const WRITERS = 8;
const ROUNDS = 2;

type Insert = (client: pg.Client, tenant: string) => Promise<unknown>;

const appendEvent: Insert = async (client, tenant) => {
  await client.query('begin');
  await client.query(`select set_config('wardroom.tenant_id', $1, true)`, [tenant]);
  await client.query(
    `insert into wardroom.audit_log (tenant_id, actor_type, actor_id, action, targets, metadata)
     values ($1, 'api_token', 'bench', 'message.created', '[{"type":"message","id":"m"}]', '{"n":1}')`,
    [tenant],
  );
  await client.query('commit');
};

const plainInsert: Insert = async (client, tenant) => {
  await client.query('begin');
  await client.query(
    `insert into bench_plain.events (tenant_id, actor_type, actor_id, action, targets, metadata)
     values ($1, 'api_token', 'bench', 'message.created', '[{"type":"message","id":"m"}]', '{"n":1}')`,
    [tenant],
  );
  await client.query('commit');
};

async function run(url: string, insert: Insert, tenants: readonly string[]): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let done = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    clients.map(async (c) => {
      while (Date.now() < until) {
        await insert(c, tenants[Math.floor(Math.random() * tenants.length)] ?? '');
        done += 1;
      }
    }),
  );
  await Promise.all(clients.map((c) => c.end()));
  return done / seconds;
}

async function chainAll(adminUrl: string): Promise<{ events: number; perSecond: number }> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const started = process.hrtime.bigint();
  let events = 0;
  for (;;) {
    const { rows } = await admin.query<{ n: number }>(
      'select wardroom.audit_seal_pending(5000) as n',
    );
    const n = rows[0]?.n ?? 0;
    events += n;
    if (n === 0) break;
  }
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await admin.end();
  return { events, perSecond: events / elapsed };
}

async function verifyRate(
  adminUrl: string,
  appUrl: string,
): Promise<{ events: number; perSecond: number; ok: boolean }> {
  const tenant = randomUUID();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(
    `insert into wardroom.audit_log (tenant_id, actor_type, actor_id, action, targets, metadata)
     select $1, 'api_token', 'bench', 'message.created',
            jsonb_build_array(jsonb_build_object('type', 'message', 'id', gen_random_uuid())),
            jsonb_build_object('n', g) from generate_series(1, $2) g`,
    [tenant, verifyEvents],
  );
  await admin.query('select wardroom.audit_seal_workspace($1, $2)', [tenant, verifyEvents]);
  await admin.end();
  const db = createDatabase({ appUrl, poolMax: 1 });
  const principal = systemPrincipal(tenant, 'bench');
  const rows = await db.withTenant(principal, (tx) =>
    tx
      .selectFrom('audit_log as a')
      .select(auditRecordSelect().as('record'))
      .where('a.seq', 'is not', null)
      .orderBy('a.seq')
      .execute(),
  );
  await db.close();
  const records = rows.map((r) => r.record);
  const started = process.hrtime.bigint();
  const result = await verifyChain(records, { tenantId: tenant });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { events: records.length, perSecond: records.length / elapsed, ok: result.ok };
}

function verdict(ratio: number, target: number): string {
  return ratio >= target ? `PASS (target >= ${target})` : `MISS (target >= ${target})`;
}

async function main(): Promise<void> {
  const cluster = await openCluster();
  const db = await createTestDatabase(cluster.url);
  try {
    const admin = new pg.Client({ connectionString: db.adminUrl });
    await admin.connect();
    await admin.query(`create schema bench_plain;
      create table bench_plain.events (id bigserial primary key, tenant_id uuid not null,
        occurred_at timestamptz not null default clock_timestamp(), actor_type text not null, actor_id text,
        action text not null, targets jsonb not null, metadata jsonb not null)`);
    await admin.end();
    console.log(
      `audit bench: ${cluster.description}; schema: ${await appliedMigrations(db.adminUrl)}`,
    );
    const many = Array.from({ length: 1000 }, () => randomUUID());
    const hot = [randomUUID()];
    const lines: string[] = [];
    for (const [label, tenants, target] of [
      ['1,000 workspaces', many, 0.5],
      ['one hot workspace', hot, 0.3],
    ] as const) {
      const plain: number[] = [];
      const chained: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        plain.push(await run(db.adminUrl, plainInsert, tenants));
        chained.push(await run(db.appUrl, appendEvent, tenants));
      }
      const ratio = median(chained) / median(plain);
      lines.push(
        `${label.padEnd(18)} plain ${median(plain).toFixed(0).padStart(6)}/s  audit ${median(
          chained,
        )
          .toFixed(0)
          .padStart(6)}/s  ratio ${ratio.toFixed(2)}  ${verdict(ratio, target)}`,
      );
    }
    const chained = await chainAll(db.adminUrl);
    const verified = await verifyRate(db.adminUrl, db.appUrl);
    console.log(
      `\n${WRITERS} writers, one event per transaction, ${seconds} s x ${ROUNDS} rounds, medians`,
    );
    for (const line of lines) console.log(line);
    console.log(
      `chaining after the loads: ${chained.events} events at ${chained.perSecond.toFixed(0)}/s`,
    );
    console.log(
      `verify: ${verified.events} events at ${verified.perSecond.toFixed(0)}/s, chain ${verified.ok ? 'ok' : 'BROKEN'}  ` +
        (verified.perSecond >= 200_000 ? 'PASS (target > 200000/s)' : 'MISS (target > 200000/s)'),
    );
    if (!verified.ok) process.exitCode = 1;
  } finally {
    await dropTestDatabase(cluster.url, db);
    await cluster.stop();
  }
}

await main();

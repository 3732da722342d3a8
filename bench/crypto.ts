/**
 * `npm run bench` (crypto part): sealed-field envelope throughput against raw
 * sodium-native XChaCha20-Poly1305 calls in the same run, for 64 B, 1 KB and
 * 64 KB fields (target: at least 0.8 of raw at 1 KB), and the key-rotation
 * sweep's re-encryption rate on a real PostgreSQL (target: 20,000 rows/s
 * while the API keeps serving): once alone, then again while the full HTTP
 * stack (a child process, as in run.ts) takes POSTs until the sweep ends.
 * Each sweep runs over a fresh workspace of BENCH_SWEEP_ROWS messages,
 * vacuumed as autovacuum would have left rows that old, with the server's
 * audit chainer linking events as they are written (as `wardroom start`
 * does); the API's rate just before the sweep is printed beside its rate
 * during it, and what the chainer had not chained at the end is timed.
 * Env: as bench/run.ts, plus BENCH_SWEEP_ROWS (20000), BENCH_SWEEP_BATCH and
 * BENCH_SWEEP_WRITERS (the defaults of WARDROOM_KEY_SWEEP_BATCH_SIZE and
 * WARDROOM_KEY_SWEEP_WRITERS).
 */
import { systemPrincipal } from '../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import sodium from 'sodium-native';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../src/base/config.js';
import { createDatabase, type Database } from '../src/db/database.js';
import { startAuditMaintenance } from '../src/modules/audit/maintenance.js';
import { signerFromSeed } from '../src/modules/crypto/primitives/ed25519.js';
import type { Principal } from '../src/db/principal.js';
import { openEnvelope, sealEnvelope } from '../src/modules/crypto/envelope.js';
import { localKek } from '../src/modules/crypto/index.js';
import { benchRoots } from './roots.js';
import { createKeyring, type Keyring } from '../src/modules/keys/keyring.js';
import { startRotation } from '../src/modules/keys/rotation/rotate-dek.js';
import { runSweep } from '../src/modules/keys/rotation/sweep.js';
import { createWorkspace } from '../src/modules/tenancy/create-workspace.js';
import { createTestDatabase, dropTestDatabase } from '../test/support/databases.js';
import { openCluster } from './cluster.js';
import { appNameOf, openCpuMeter, type CpuMeter } from './cpu.js';
import { loadFromChild, type LoadResult } from './load.js';
import { median } from './stats.js';
import { startTarget, stopTarget, type Target } from './targets.js';

const sweepRows = Number(process.env['BENCH_SWEEP_ROWS'] ?? 20_000);
const defaults = loadConfig({});
const sweepBatch = Number(process.env['BENCH_SWEEP_BATCH'] ?? defaults.keySweepBatchSize);
const sweepWriters = Number(process.env['BENCH_SWEEP_WRITERS'] ?? defaults.keySweepWriters);

/** Set when node runs with --expose-gc (as `npm run bench:crypto` does). */
const collect = (globalThis as { gc?: () => void }).gc;

function opsPerSecond(fn: () => void, seconds: number): number {
  // Each window starts with a clean heap, so neither side pays for the
  // other's garbage (the raw side allocates as much as the envelope).
  collect?.();
  let n = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / seconds;
}

function sealOpen(size: number): { raw: number; envelope: number; ratio: number } {
  const key = randomBytes(32);
  const message = randomBytes(size);
  const place = {
    tenantId: randomUUID(),
    table: 'messages',
    column: 'content',
    rowId: randomUUID(),
  };
  const header = { keyId: randomUUID(), keyVersion: 1 };
  const ad = Buffer.from(`wardroom.field.v1\0${place.tenantId}\0messages\0content\0${place.rowId}`);
  // Raw calls draw nonces in blocks and allocate as the envelope does, so
  // the ratio measures the envelope's own work (header, associated data,
  // checks), not how nonces are drawn or buffers allocated.
  const nonces = Buffer.alloc(24 * 256);
  let at = nonces.length;
  const raw = () => {
    if (at === nonces.length) {
      sodium.randombytes_buf(nonces);
      at = 0;
    }
    const nonce = nonces.subarray(at, at + 24);
    at += 24;
    // Allocated as the envelope allocates: ciphertext unzeroed, plaintext zeroed.
    const out = Buffer.allocUnsafe(size + 16);
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, message, ad, null, nonce, key);
    const back = Buffer.alloc(size);
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(back, null, out, ad, nonce, key);
  };
  const envelope = () => {
    openEnvelope(key, sealEnvelope(key, header, place, message), place);
  };
  // This machine's speed drifts by up to 2x within minutes, so the two are
  // measured in many short alternating pairs (order swapped every pair) and
  // the ratio is the median of the pairs' ratios: drift slower than a pair
  // cancels out.
  for (let i = 0; i < 2000; i++) {
    raw();
    envelope();
  }
  const raws: number[] = [];
  const envelopes: number[] = [];
  const ratios: number[] = [];
  for (let pair = 0; pair < 40; pair++) {
    let r: number;
    let e: number;
    if (pair % 2 === 0) {
      r = opsPerSecond(raw, 0.05);
      e = opsPerSecond(envelope, 0.05);
    } else {
      e = opsPerSecond(envelope, 0.05);
      r = opsPerSecond(raw, 0.05);
    }
    raws.push(r);
    envelopes.push(e);
    ratios.push(e / r);
  }
  return { raw: median(raws), envelope: median(envelopes), ratio: median(ratios) };
}

interface SweepRun {
  readonly rows: number;
  readonly perSecond: number;
  /** CPU per re-sealed row, in µs: this process (sweep and sealer) and its PostgreSQL backends. */
  readonly cpu: { readonly node: number; readonly pg: number };
}

interface SweepRates {
  /** Re-sealed rows per second with no API traffic. */
  readonly quiet: SweepRun;
  /** Re-sealed rows per second while the full HTTP stack serves POSTs. */
  readonly underLoad: SweepRun;
  /** What the API served just before the sweep, and during it. */
  readonly apiAlone: LoadResult;
  readonly apiDuring: LoadResult;
  /** Audit events still unchained when the sweeps ended, and how long chaining them took. */
  readonly backlog: { readonly events: number; readonly ms: number };
}

/** A workspace of `sweepRows` messages on key version 1, settled as autovacuum would leave it. */
async function seededWorkspace(
  db: Database,
  admin: pg.Client,
  keyring: Keyring,
  name: string,
): Promise<Principal> {
  const ws = await createWorkspace(
    db,
    keyring,
    {
      name,
      region: 'eu',
      ownerEmail: `${name.toLowerCase()}@bench.test`,
    },
    (id) => systemPrincipal(id, 'bench'),
  );
  const principal = systemPrincipal(ws.workspaceId, 'bench');
  const tenantId = principal.tenantId;
  await db.withTenant(principal, async (tx) => {
    const workroom = uuidv7();
    const conversation = uuidv7();
    await tx
      .insertInto('workrooms')
      .values({ tenant_id: tenantId, id: workroom, name: 'r', created_by: ws.ownerUserId })
      .execute();
    await tx
      .insertInto('conversations')
      .values({
        tenant_id: tenantId,
        id: conversation,
        workroom_id: workroom,
        created_by: ws.ownerUserId,
      })
      .execute();
    for (let done = 0; done < sweepRows; done += 1000) {
      const rows = [];
      for (let i = 0; i < Math.min(1000, sweepRows - done); i++) {
        // Message ids are UUIDv7 in Wardroom, so rows sit in id order on disk.
        const id = uuidv7();
        const place = { table: 'messages', column: 'content', rowId: id };
        const content = await keyring.seal(tx, place, randomBytes(200));
        const row = { tenant_id: tenantId, id, conversation_id: conversation, content };
        rows.push({ ...row, author_type: 'user' as const });
      }
      await tx.insertInto('messages').values(rows).execute();
    }
  });
  // Rows that old have long been vacuumed: visibility hints set, statistics known.
  await admin.query('vacuum analyze wardroom.messages');
  await admin.query('select wardroom.audit_seal_pending(1000000)');
  return principal;
}

async function timedSweep(
  db: Database,
  meter: CpuMeter,
  keyring: Keyring,
  principal: Principal,
): Promise<SweepRun> {
  const started = await startRotation(db, keyring, principal);
  const t0 = performance.now();
  const { result: done, cpu } = await meter.measure(process.pid, appNameOf('sweep'), () =>
    runSweep(db, keyring, principal, started.rotationId, {
      batchSize: sweepBatch,
      writers: sweepWriters,
    }),
  );
  const rows = done.rowsDone;
  return {
    rows,
    perSecond: rows / ((performance.now() - t0) / 1000),
    cpu: { node: (cpu.node * 1000) / rows, pg: (cpu.pg * 1000) / rows },
  };
}

async function sweepRates(): Promise<SweepRates> {
  const cluster = await openCluster();
  const tdb = await createTestDatabase(cluster.url);
  const appUrl = new URL(tdb.appUrl);
  appUrl.searchParams.set('application_name', appNameOf('sweep'));
  const db = createDatabase({ appUrl: appUrl.toString(), poolMax: 2 + sweepWriters });
  const meter = await openCpuMeter(tdb.adminUrl);
  const admin = new pg.Client({ connectionString: tdb.adminUrl });
  await admin.connect();
  let api: Target | undefined;
  // The server's audit sealer, as `wardroom start` runs it: it chains the
  // sweep's events (and the API's) while they are written, on the same CPUs.
  const chainer = startAuditMaintenance({
    db,
    signer: signerFromSeed(randomBytes(32)),
    config: {
      auditCheckpointDir: '', // never used: checkpoints are off (interval 0)
      auditCheckpointInterval: 0,
      auditSealIntervalMs: defaults.auditSealIntervalMs,
      auditVerifyWorkspaces: 0,
    },
    logger: { info: () => undefined, error: (o: unknown) => console.error('audit sealer:', o) },
  });
  let sealerStopped = false;
  try {
    const keyring = createKeyring(localKek(randomBytes(32)), { roots: await benchRoots() });
    const quietWs = await seededWorkspace(db, admin, keyring, 'Quiet');
    const quiet = await timedSweep(db, meter, keyring, quietWs);

    // A second workspace of the same size, swept while the real server
    // takes POSTs in other workspaces from 8 connections until the sweep ends.
    const loadedWs = await seededWorkspace(db, admin, keyring, 'Loaded');
    api = await startTarget('full', tdb, {
      workspaces: 8,
      seedMessages: 1,
      content: 'x'.repeat(200),
      poolMax: 10,
      logLevel: 'silent',
    });
    // From a process of its own, so the load generator shares no event loop with the sweep.
    await loadFromChild(api.port, api.post, { connections: 8, seconds: 2 }); // warm-up
    const apiAlone = await loadFromChild(api.port, api.post, { connections: 8, seconds: 4 });
    const stop = new AbortController();
    const serving = loadFromChild(api.port, api.post, {
      connections: 8,
      seconds: 600,
      signal: stop.signal,
    });
    const underLoad = await timedSweep(db, meter, keyring, loadedWs).finally(() => {
      stop.abort();
    });
    const apiDuring = await serving;
    await chainer.stop();
    sealerStopped = true;
    const { rows } = await admin.query<{ n: string }>(
      'select count(*) as n from wardroom.audit_log where seq is null',
    );
    const t0 = performance.now();
    await admin.query('select wardroom.audit_seal_pending(1000000)');
    const backlog = { events: Number(rows[0]?.n ?? 0), ms: performance.now() - t0 };
    return { quiet, underLoad, apiAlone, apiDuring, backlog };
  } finally {
    if (!sealerStopped) await chainer.stop();
    if (api !== undefined) await stopTarget(api);
    await meter.close();
    await admin.end();
    await db.close();
    await dropTestDatabase(cluster.url, tdb);
    await cluster.stop();
  }
}

const lines = [
  'size     raw sodium seal+open/s   envelope seal+open/s   ratio (median of 40 alternating pairs)',
];
for (const size of [64, 1024, 65536]) {
  const r = sealOpen(size);
  const ratio = r.ratio;
  const verdict =
    size === 1024 ? (ratio >= 0.8 ? 'PASS (target >= 0.8)' : 'MISS (target >= 0.8)') : '';
  lines.push(
    `${String(size).padEnd(8)} ${r.raw.toFixed(0).padStart(22)}   ${r.envelope.toFixed(0).padStart(20)}   ${ratio.toFixed(2)}  ${verdict}`,
  );
}
console.log(`crypto bench\n${lines.join('\n')}`);
const sweep = await sweepRates();
const verdict = (rate: number) =>
  rate >= 20_000 ? 'PASS (target >= 20000)' : 'MISS (target >= 20000)';
const run = (r: SweepRun) =>
  `${r.perSecond.toFixed(0).padStart(6)} rows/s  ${verdict(r.perSecond)}  ` +
  `(CPU per row: ${r.cpu.node.toFixed(0)} µs here, ${r.cpu.pg.toFixed(0)} µs PostgreSQL)`;
const api = (r: LoadResult) =>
  `${r.rps.toFixed(0).padStart(6)} POST/s, p99 ${r.p99} ms, ${r.non2xx + r.errors} failed`;
console.log(
  `key rotation sweep, ${sweep.quiet.rows} rows per run, batches of ${sweepBatch}, ` +
    `${sweepWriters} writer(s), audit sealer running:\n` +
    `  alone:                 ${run(sweep.quiet)}\n` +
    `  while the API serves:  ${run(sweep.underLoad)}\n` +
    `  the API before:        ${api(sweep.apiAlone)} (8 connections)\n` +
    `  the API meanwhile:     ${api(sweep.apiDuring)} ` +
    `(${(sweep.apiDuring.rps / sweep.apiAlone.rps).toFixed(2)} of before)\n` +
    `  audit events left unchained at the end: ${sweep.backlog.events} ` +
    `(chained in ${sweep.backlog.ms.toFixed(0)} ms)`,
);

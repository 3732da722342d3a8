/**
 * `npm run bench` (crypto part): sealed-field envelope throughput against raw
 * sodium-native XChaCha20-Poly1305 calls in the same run, for 64 B, 1 KB and
 * 64 KB fields (target: at least 0.8 of raw at 1 KB), and the key-rotation
 * sweep's re-encryption rate on a real PostgreSQL (target: 20,000 rows/s
 * while the API keeps serving): once alone, then again while the full HTTP
 * stack (a child process, as in run.ts) takes POSTs until the sweep ends.
 * Env: as bench/run.ts, plus BENCH_SWEEP_ROWS (20000) and BENCH_SWEEP_BATCH
 * (the default of WARDROOM_KEY_SWEEP_BATCH_SIZE).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import sodium from 'sodium-native';
import { v7 as uuidv7 } from 'uuid';
import { loadConfig } from '../src/config.js';
import { createDatabase, type Database } from '../src/db/database.js';
import type { Principal } from '../src/db/tenant-tx.js';
import { openEnvelope, sealEnvelope } from '../src/modules/crypto/envelope.js';
import { localKek } from '../src/modules/crypto/kek.js';
import { createKeyring, type Keyring } from '../src/modules/crypto/keyring.js';
import { startRotation } from '../src/modules/crypto/rotation/rotate-dek.js';
import { runSweep } from '../src/modules/crypto/rotation/sweep.js';
import { createWorkspace } from '../src/modules/tenancy/create-workspace.js';
import { createTestDatabase, dropTestDatabase } from '../test/support/databases.js';
import { openCluster } from './cluster.js';
import { load, type LoadResult } from './load.js';
import { median } from './stats.js';
import { startTarget, stopTarget, type Target } from './targets.js';

const sweepRows = Number(process.env['BENCH_SWEEP_ROWS'] ?? 20_000);
const sweepBatch = Number(process.env['BENCH_SWEEP_BATCH'] ?? loadConfig({}).keySweepBatchSize);

function opsPerSecond(fn: () => void, seconds = 1): number {
  for (let i = 0; i < 200; i++) fn(); // warm-up
  let n = 0;
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
  }
  return n / seconds;
}

function sealOpen(size: number): { raw: number; envelope: number } {
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
  const raw = () => {
    const nonce = Buffer.alloc(24);
    sodium.randombytes_buf(nonce);
    const out = Buffer.alloc(size + 16);
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, message, ad, null, nonce, key);
    const back = Buffer.alloc(size);
    sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(back, null, out, ad, nonce, key);
  };
  const envelope = () => {
    openEnvelope(key, sealEnvelope(key, header, place, message), place);
  };
  // Alternate short rounds and take medians: this machine is shared and noisy.
  const raws: number[] = [];
  const envelopes: number[] = [];
  for (let round = 0; round < 7; round++) {
    raws.push(opsPerSecond(raw, 0.3));
    envelopes.push(opsPerSecond(envelope, 0.3));
  }
  return { raw: median(raws), envelope: median(envelopes) };
}

interface SweepRates {
  readonly rows: number;
  /** Re-sealed rows per second with nothing else running. */
  readonly quiet: number;
  /** Re-sealed rows per second while the full HTTP stack serves POSTs. */
  readonly underLoad: number;
  /** What the API served meanwhile. */
  readonly api: LoadResult;
}

async function seedMessages(
  db: Database,
  keyring: Keyring,
  principal: Principal,
  ownerId: string,
): Promise<void> {
  const tenantId = principal.tenantId;
  await db.withTenant(principal, async (tx) => {
    const workroom = uuidv7();
    const conversation = uuidv7();
    await tx
      .insertInto('workrooms')
      .values({ tenant_id: tenantId, id: workroom, name: 'r', created_by: ownerId })
      .execute();
    await tx
      .insertInto('conversations')
      .values({ tenant_id: tenantId, id: conversation, workroom_id: workroom, created_by: ownerId })
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
}

async function timedSweep(db: Database, keyring: Keyring, principal: Principal) {
  const started = await startRotation(db, keyring, principal);
  const t0 = performance.now();
  const done = await runSweep(db, keyring, principal, started.rotationId, {
    batchSize: sweepBatch,
  });
  return { rows: done.rowsDone, perSecond: done.rowsDone / ((performance.now() - t0) / 1000) };
}

async function sweepRates(): Promise<SweepRates> {
  const cluster = await openCluster();
  const tdb = await createTestDatabase(cluster.url);
  const db = createDatabase({ appUrl: tdb.appUrl, poolMax: 4 });
  let api: Target | undefined;
  try {
    const keyring = createKeyring(localKek(randomBytes(32)));
    const ws = await createWorkspace(db, keyring, {
      name: 'Sweep',
      region: 'eu',
      ownerEmail: 'sweep@bench.test',
    });
    const principal = {
      tenantId: ws.workspaceId,
      actorType: 'system' as const,
      actorId: 'bench',
      correlationId: randomUUID(),
    };
    await seedMessages(db, keyring, principal, ws.ownerUserId);
    const quiet = await timedSweep(db, keyring, principal);

    // The same rows again (a second rotation), while the real server takes
    // POSTs in other workspaces from 8 connections until the sweep ends.
    api = await startTarget('full', tdb, {
      workspaces: 8,
      seedMessages: 1,
      content: 'x'.repeat(200),
      poolMax: 10,
      logLevel: 'silent',
    });
    const stop = new AbortController();
    const serving = load(api.port, api.post, {
      connections: 8,
      seconds: 600,
      signal: stop.signal,
    });
    const loaded = await timedSweep(db, keyring, principal).finally(() => {
      stop.abort();
    });
    return {
      rows: quiet.rows,
      quiet: quiet.perSecond,
      underLoad: loaded.perSecond,
      api: await serving,
    };
  } finally {
    if (api !== undefined) await stopTarget(api);
    await db.close();
    await dropTestDatabase(cluster.url, tdb);
    await cluster.stop();
  }
}

const lines = ['size     raw sodium seal+open/s   envelope seal+open/s   ratio'];
for (const size of [64, 1024, 65536]) {
  const r = sealOpen(size);
  const ratio = r.envelope / r.raw;
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
console.log(
  `key rotation sweep, ${sweep.rows} rows in batches of ${sweepBatch}:\n` +
    `  alone:                 ${sweep.quiet.toFixed(0).padStart(6)} rows/s  ${verdict(sweep.quiet)}\n` +
    `  while the API serves:  ${sweep.underLoad.toFixed(0).padStart(6)} rows/s  ${verdict(sweep.underLoad)}\n` +
    `  the API meanwhile:     ${sweep.api.rps.toFixed(0).padStart(6)} POST/s, p99 ${sweep.api.p99} ms, ` +
    `${sweep.api.non2xx + sweep.api.errors} failed (8 connections)`,
);

/**
 * One measured export, in a process of its own so its peak RSS is its own
 * (`process.resourceUsage().maxRSS`). argv[2] is the job as JSON; the result
 * goes back to the parent over IPC.
 *
 * - `wardroom`: `runWorkspaceExport` as the route runs it, in one tenant
 *   transaction on the app role, into the folder store (sealed objects).
 * - `reference`: the same rows read with the same keyset statements by a
 *   bare pg client (as the owner role, no RLS), through the same zip writer
 *   (`zipStream`), sealed fields written as base64 without opening them,
 *   into a plain file: no Kysely, no decryption, no object sealing.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type * as CryptoModule from '../src/modules/crypto/index.js';
import type * as DatabaseModule from '../src/db/database.js';
import type * as KeyringModule from '../src/modules/keys/keyring.js';
import type * as PrincipalModule from '../src/db/principal.js';
import type * as ExportModule from '../src/modules/privacy/export/workspace-export.js';
import type { ExportForm } from '../src/modules/privacy/export/rows.js';
import type * as ZipModule from '../src/modules/privacy/export/zip.js';
import type { EntryCounts } from '../src/modules/privacy/export/zip.js';
import type * as StorageModule from '../src/modules/storage/index.js';
import type { BenchState } from './privacy-seed.js';

/**
 * The server's modules as built by `npm run build:server` (dist/src), as
 * `wardroom start` runs them: no TypeScript loader in the measured process.
 */
function built<T>(distDir: string, file: string): Promise<T> {
  return import(pathToFileURL(path.join(distDir, file)).href) as Promise<T>;
}

export interface ChildJob {
  readonly kind: 'wardroom' | 'reference';
  readonly form: ExportForm;
  readonly state: BenchState;
  /** Folder for the store (wardroom) or the plain file (reference). */
  readonly outDir: string;
  /** The build's root (the folder holding dist/src). */
  readonly distDir: string;
}

export interface ChildResult {
  readonly seconds: number;
  readonly rows: number;
  readonly bytes: number;
  readonly maxRssMb: number;
  /** User and system CPU of the child: less sensitive than `seconds` to a busy machine. */
  readonly cpuSeconds: number;
  readonly counts: EntryCounts;
}

async function wardroomExport(
  job: ChildJob,
): Promise<Omit<ChildResult, 'seconds' | 'maxRssMb' | 'cpuSeconds'>> {
  const { state } = job;
  const load = <T>(file: string) => built<T>(job.distDir, file);
  const { createDatabase } = await load<typeof DatabaseModule>('src/db/database.js');
  const { systemPrincipal } = await load<typeof PrincipalModule>('src/db/principal.js');
  const { createKeyring } = await load<typeof KeyringModule>('src/modules/keys/keyring.js');
  const { fileKeyStore, localKek } = await load<typeof CryptoModule>('src/modules/crypto/index.js');
  const { createStorage, folderStore } = await load<typeof StorageModule>(
    'src/modules/storage/index.js',
  );
  const { runWorkspaceExport } = await load<typeof ExportModule>(
    'src/modules/privacy/export/workspace-export.js',
  );
  const db = createDatabase({ appUrl: state.appUrl, poolMax: 2 });
  try {
    const keyring = createKeyring(localKek(Buffer.from(state.kekHex, 'hex')), {
      roots: await fileKeyStore(state.rootsDir),
    });
    const storage = createStorage({
      store: folderStore(job.outDir),
      db,
      keyring,
      linkSecret: randomBytes(32),
      publicUrl: 'http://bench.wardroom.test',
    });
    const result = await db.withTenant(systemPrincipal(state.workspaceId, 'bench'), (tx) =>
      runWorkspaceExport(
        tx,
        { keyring, storage },
        { form: job.form, requesterId: state.ownerUserId },
      ),
    );
    return { rows: total(result.counts), bytes: result.size, counts: result.counts };
  } finally {
    await db.close();
  }
}

const total = (counts: EntryCounts): number => Object.values(counts).reduce((a, b) => a + b, 0);

type Row = Record<string, unknown>;

async function* keyset(
  client: pg.Client,
  select: string,
  key: string,
  first: string,
): AsyncGenerator<Row> {
  let after = first;
  for (;;) {
    const { rows } = await client.query<Row>(
      `${select} where tenant_id = $1 and ${key} > $2 order by ${key} limit 500`,
      [job().state.workspaceId, after],
    );
    for (const r of rows) {
      const out: Row = {};
      for (const [k, v] of Object.entries(r)) {
        out[k] = Buffer.isBuffer(v)
          ? v.toString('base64')
          : v instanceof Date
            ? v.toISOString()
            : v;
      }
      yield out;
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < 500) return;
    after = String(last[key]);
  }
}

async function referenceExport(
  j: ChildJob,
): Promise<Omit<ChildResult, 'seconds' | 'maxRssMb' | 'cpuSeconds'>> {
  const client = new pg.Client({ connectionString: j.state.adminUrl });
  await client.connect();
  const zero = '00000000-0000-0000-0000-000000000000';
  const counts: EntryCounts = {};
  const { zipStream } = await built<typeof ZipModule>(
    j.distDir,
    'src/modules/privacy/export/zip.js',
  );
  try {
    const file = path.join(j.outDir, `reference-${j.form}.zip`);
    await fs.mkdir(j.outDir, { recursive: true });
    const rows =
      (sql: string, key = 'id', first = zero) =>
      () =>
        keyset(client, sql, key, first);
    await pipeline(
      zipStream(
        [
          { name: 'workspace.json', kind: 'json', value: () => Promise.resolve({}) },
          {
            name: 'members.jsonl',
            kind: 'jsonl',
            rows: rows('select user_id, role, created_at from wardroom.memberships', 'user_id'),
          },
          {
            name: 'workrooms.jsonl',
            kind: 'jsonl',
            rows: rows('select id, name_sealed, created_by, created_at from wardroom.workrooms'),
          },
          {
            name: 'conversations.jsonl',
            kind: 'jsonl',
            rows: rows(
              'select id, workroom_id, title_sealed, created_by, created_at from wardroom.conversations',
            ),
          },
          {
            name: 'messages.jsonl',
            kind: 'jsonl',
            rows: rows(
              'select id, conversation_id, author_type, author_id, content, created_at from wardroom.messages',
            ),
          },
          {
            name: 'audit.jsonl',
            kind: 'jsonl',
            rows: rows(
              `select id, seq, occurred_at, actor_type, actor_id, actor_name, action, targets,
                      context, correlation_id, metadata, prev_hash, hash from wardroom.audit_log`,
              'id',
              '0',
            ),
          },
        ],
        counts,
      ),
      createWriteStream(file),
    );
    return { rows: total(counts), bytes: (await fs.stat(file)).size, counts };
  } finally {
    await client.end();
  }
}

let current: ChildJob | undefined;
function job(): ChildJob {
  if (current === undefined) throw new Error('no job');
  return current;
}

/** BENCH_PRIVACY_MEMORY=1: the memory figures every 2 s, on stderr. */
function watchMemory(): () => void {
  if (process.env['BENCH_PRIVACY_MEMORY'] !== '1') return () => undefined;
  const started = Date.now();
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const f = (n: number) => (n / 1024 / 1024).toFixed(0);
    process.stderr.write(
      `  [${((Date.now() - started) / 1000).toFixed(0)} s] rss ${f(m.rss)} heap ${f(m.heapUsed)}/${f(m.heapTotal)} external ${f(m.external)} buffers ${f(m.arrayBuffers)} MB\n`,
    );
  }, 2000);
  return () => clearInterval(timer);
}

async function main(): Promise<void> {
  current = JSON.parse(process.argv[2] ?? '{}') as ChildJob;
  const stop = watchMemory();
  const started = process.hrtime.bigint();
  const done =
    current.kind === 'wardroom' ? await wardroomExport(current) : await referenceExport(current);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  stop();
  const usage = process.resourceUsage();
  const result: ChildResult = {
    ...done,
    seconds,
    maxRssMb: usage.maxRSS / 1024,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  };
  process.send?.(result);
}

await main();

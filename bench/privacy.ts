/**
 * `npm run bench:privacy`: a workspace export of 1,000,000 messages
 * (BENCH_PRIVACY_MESSAGES) in both forms (snapshot, readable), each in a
 * child process so its peak RSS is measured, into the folder store.
 *
 * Targets (issue 13): under 60 s and peak RSS under 256 MB per export.
 * Reference, measured in the same run: the same rows through the same
 * keyset statements and the same zip writer by a bare pg client, with no
 * decryption and no object sealing (bench/privacy-child.ts), and the raw
 * `COPY (messages) TO STDOUT` through psql, printed as ratios.
 *
 * Database: BENCH_DATABASE_URL or TEST_DATABASE_URL (superuser), else an
 * embedded cluster. The seeded database `wardroom_bench_privacy` is kept and
 * reused when it still holds the expected messages (bench/privacy-seed.ts).
 */
import { spawn, fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExportForm } from '../src/modules/privacy/export/rows.js';
import { appliedMigrations, openCluster } from './cluster.js';
import type { ChildJob, ChildResult } from './privacy-child.js';
import { benchWorkspace, stateDir, type BenchState } from './privacy-seed.js';

const messages = Number(process.env['BENCH_PRIVACY_MESSAGES'] ?? 1_000_000);
/** BENCH_PRIVACY_FORMS=snapshot,readable (default both); BENCH_PRIVACY_CPU_PROF=<dir> profiles each child. */
const forms = (process.env['BENCH_PRIVACY_FORMS'] ?? 'snapshot,readable').split(
  ',',
) as ExportForm[];
const profile = process.env['BENCH_PRIVACY_CPU_PROF'];
const SECONDS_TARGET = 60;
const RSS_TARGET_MB = 256;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);

/** `npm run build:server` (tsc into dist/): the children run the built server code. */
function buildServer(): Promise<void> {
  return new Promise((resolve, reject) => {
    const tsc = spawn(
      process.execPath,
      [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
    tsc.once('error', reject);
    tsc.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`tsc exited with ${code}`)),
    );
  });
}

function runChild(job: ChildJob): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'privacy-child.ts'), [JSON.stringify(job)], {
      execArgv: [
        '--import',
        'tsx',
        ...(profile === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profile}`]),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let result: ChildResult | undefined;
    child.on('message', (m) => {
      result = m as ChildResult;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`export child (${job.kind} ${job.form}) exited with ${code}`));
    });
  });
}

/** Seconds for `COPY (the workspace's messages) TO STDOUT` through psql, output discarded. */
function rawCopySeconds(state: BenchState): Promise<number | null> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const psql = spawn(
      process.env['WARDROOM_PSQL'] ?? 'psql',
      [
        state.adminUrl,
        '-X',
        '-q',
        '-c',
        `copy (select id, conversation_id, author_type, author_id, content, created_at
                 from wardroom.messages where tenant_id = '${state.workspaceId}') to stdout`,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    psql.once('error', () => resolve(null));
    psql.once('exit', (code) =>
      resolve(code === 0 ? Number(process.hrtime.bigint() - started) / 1e9 : null),
    );
  });
}

const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const verdict = (ok: boolean): string => (ok ? 'MET' : 'MISSED');

function report(form: ExportForm, ours: ChildResult, ref: ChildResult, copy: number | null): void {
  const secondsOk = ours.seconds < SECONDS_TARGET;
  const rssOk = ours.maxRssMb < RSS_TARGET_MB;
  console.log(`\n${form}:`);
  console.log(
    `  wardroom   ${ours.seconds.toFixed(1).padStart(6)} s  ${(ours.rows / ours.seconds).toFixed(0).padStart(7)} rows/s  ` +
      `CPU ${ours.cpuSeconds.toFixed(1)} s  peak RSS ${ours.maxRssMb.toFixed(0)} MB  output ${mb(ours.bytes)} (sealed object)  rows ${ours.rows}`,
  );
  console.log(
    `  reference  ${ref.seconds.toFixed(1).padStart(6)} s  ${(ref.rows / ref.seconds).toFixed(0).padStart(7)} rows/s  ` +
      `CPU ${ref.cpuSeconds.toFixed(1)} s  peak RSS ${ref.maxRssMb.toFixed(0)} MB  output ${mb(ref.bytes)} (plain zip)`,
  );
  const copyRatio = copy === null ? 'n/a' : (ours.seconds / copy).toFixed(1);
  console.log(
    `  ratios     wardroom/reference time ${(ours.seconds / ref.seconds).toFixed(2)}, ` +
      `wardroom/raw COPY of messages ${copyRatio}`,
  );
  console.log(
    `  targets    time < ${SECONDS_TARGET} s ${verdict(secondsOk)}; peak RSS < ${RSS_TARGET_MB} MB ${verdict(rssOk)}`,
  );
  if (!secondsOk || !rssOk) process.exitCode = 1;
}

async function main(): Promise<void> {
  const cluster = await openCluster();
  try {
    const { state, seededSeconds } = await benchWorkspace(cluster.url, messages, (s) =>
      console.log(s),
    );
    console.log(
      `privacy bench: ${cluster.description}; ${messages} messages; schema: ${await appliedMigrations(state.adminUrl)}`,
    );
    console.log(
      seededSeconds === null
        ? 'seed: reused the cached database'
        : `seed: ${seededSeconds.toFixed(0)} s (sealed as the app seals, audit chained)`,
    );
    const outDir = path.join(stateDir(), 'out');
    const built = process.hrtime.bigint();
    await buildServer();
    console.log(
      `built the server (dist/) in ${(Number(process.hrtime.bigint() - built) / 1e9).toFixed(0)} s`,
    );
    const copy = await rawCopySeconds(state);
    console.log(
      `raw COPY of the messages to stdout: ${copy === null ? 'failed' : `${copy.toFixed(1)} s`}`,
    );
    for (const form of forms) {
      fs.rmSync(outDir, { recursive: true, force: true });
      const ref = await runChild({
        kind: 'reference',
        form,
        state,
        outDir,
        distDir: path.join(root, 'dist'),
      });
      fs.rmSync(outDir, { recursive: true, force: true });
      const ours = await runChild({
        kind: 'wardroom',
        form,
        state,
        outDir,
        distDir: path.join(root, 'dist'),
      });
      report(form, ours, ref, copy);
    }
    fs.rmSync(outDir, { recursive: true, force: true });
  } finally {
    await cluster.stop();
  }
}

await main();

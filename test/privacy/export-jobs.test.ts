/**
 * Exports as jobs: through real pg-boss, an owner's export of an access
 * request goes queued → completed with its progress, completes the request
 * and emails the link; a run that dies mid-export is run again (as pg-boss
 * hands out a job whose worker died) and leaves exactly one object under
 * the export's key, and a job delivered once more does nothing; a lasting
 * failure ends the export `failed` with a stable code and an audit event,
 * and no link.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import { startJobQueue, type RunningJobQueue } from '../../src/db/jobs.js';
import { systemPrincipal } from '../../src/db/principal.js';
import {
  exportJobScheduler,
  runExportJob,
  startExportWorker,
  type ExportJobDeps,
  type ExportMailer,
  type ExportScheduler,
} from '../../src/modules/privacy/index.js';
import { folderStore, type Storage } from '../../src/modules/storage/index.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, seedContent } from '../support/http.js';
import { lines, pathOf, unzip } from './export-files.js';

interface View {
  id: string;
  state: string;
  attempts: number;
  progress: Record<string, number>;
  counts: Record<string, number> | null;
  download_url: string | null;
  error_code: string | null;
  file_name: string | null;
}

const sent: { to: string; url: string }[] = [];
const mailer: ExportMailer = {
  sendExportReady(_principal, message) {
    sent.push(message);
    return Promise.resolve({ sent: true, error_code: null });
  },
};
/** The route's scheduler: pg-boss in one test, a recorder (nothing runs) in the others. */
let target: ExportScheduler;
const queued: string[] = [];
const recorder: ExportScheduler = {
  schedule(_tenantId, exportId) {
    queued.push(exportId);
    return Promise.resolve();
  },
};

let dir: string;
let t: TestApp;
let ws: TestWorkspace;
const MARK = 'delta-2b7e';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-export-jobs-'));
  t = await startTestApp({
    storage: { store: folderStore(dir) },
    exportMailer: mailer,
    exportJobs: { schedule: (tenantId, exportId) => target.schedule(tenantId, exportId) },
  });
  ws = await newWorkspace(t);
  await seedContent(t, ws, MARK);
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

const base = () => `/api/v1/workspaces/${ws.id}/privacy`;
const deps = (storage: Pick<Storage, 'write' | 'downloadLink'> = t.storage): ExportJobDeps => ({
  db: t.db,
  keyring: t.keyring,
  storage,
  mailer,
  clock: () => new Date(),
});

async function start(payload: object): Promise<string> {
  const res = await call(t, 'POST', `${base()}/exports`, { token: ws.ownerToken, payload });
  expect(res.statusCode, res.body).toBe(202);
  return res.json<{ id: string }>().id;
}

async function view(id: string): Promise<View> {
  const res = await call(t, 'GET', `${base()}/exports/${id}`, { token: ws.ownerToken });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<View>();
}

async function events(id: string): Promise<{ action: string; metadata: object }[]> {
  const rows = await t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
    tx
      .selectFrom('audit_log')
      .select(['action', 'targets', 'metadata'])
      .where('action', 'like', 'privacy.export.%')
      .orderBy('id')
      .execute(),
  );
  return rows.filter((r) => r.targets.some((x) => x.id === id));
}

/** Every file under the workspace's exports folder whose name holds `id`. */
async function objectsOf(id: string): Promise<string[]> {
  const folder = path.join(dir, 'tenants', ws.id, 'exports');
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.filter((n) => n.includes(id));
}

/** A store write that reads part of the body, then fails as `error`. */
function failingStorage(error: Error): Pick<Storage, 'write' | 'downloadLink'> {
  return {
    downloadLink: (key, ttl) => t.storage.downloadLink(key, ttl),
    async write(_principal, _key, body) {
      for await (const chunk of body) {
        if (chunk.length > 0) break;
      }
      throw error;
    },
  };
}

describe('exports as jobs', () => {
  it('runs through pg-boss: an access request’s export completes it, and the link is emailed', async () => {
    const requests = `${base()}/requests`;
    const created = await call(t, 'POST', requests, {
      token: ws.ownerToken,
      payload: { type: 'access', subject: { email: 'subject@example.test' } },
    });
    const requestId = created.json<{ id: string }>().id;
    for (const to of ['identity_verified', 'in_progress']) {
      const moved = await call(t, 'POST', `${requests}/${requestId}/transitions`, {
        token: ws.ownerToken,
        payload: { to },
      });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const queue: RunningJobQueue = await startJobQueue(inject('jobsUrl'), { supervise: false });
    const outcomes: string[] = [];
    const worker = await startExportWorker(queue, deps(), {
      onDone: (outcome) => outcomes.push(outcome),
    });
    target = exportJobScheduler(() => Promise.resolve(queue));
    sent.length = 0;
    let id = '';
    try {
      id = await start({ form: 'readable', request_id: requestId });
      await expect.poll(async () => (await view(id)).state, { timeout: 60_000 }).toBe('completed');
    } finally {
      await worker.stop();
      await queue.stop({ graceful: true, timeout: 5000 });
    }
    expect(outcomes).toEqual(['completed']);
    const done = await view(id);
    expect(done.attempts).toBe(1);
    expect(done.progress).toEqual(done.counts);
    expect(done.counts?.['messages.jsonl']).toBe(1);
    const file = await call(t, 'GET', pathOf(done.download_url ?? ''));
    const files = await unzip(file.rawPayload);
    expect(lines(files.get('messages.jsonl')).map((m) => m['content'])).toEqual([
      `${MARK} message`,
    ]);
    const request = await call(t, 'GET', `${requests}/${requestId}`, { token: ws.ownerToken });
    expect(request.json<{ state: string }>().state).toBe('completed');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toMatch(/^owner-/);
    expect((await events(id)).map((e) => e.action)).toEqual([
      'privacy.export.created',
      'privacy.export.started',
      'privacy.export.completed',
    ]);
  }, 90_000);

  it('a run that died mid-export runs again into the same object, once; a repeat does nothing', async () => {
    target = recorder;
    const id = await start({ form: 'snapshot' });
    expect(queued).toContain(id);
    const job = { tenantId: ws.id, exportId: id };
    const died = runExportJob(deps(failingStorage(new Error('worker died'))), job, {
      final: false,
    });
    await expect(died).rejects.toThrow('worker died');
    expect(await view(id)).toMatchObject({ state: 'running', attempts: 1 });
    expect(await objectsOf(id)).toEqual([]);
    expect(await runExportJob(deps(), job, { final: false })).toBe('completed');
    const done = await view(id);
    expect(done).toMatchObject({ state: 'completed', attempts: 2 });
    expect(await objectsOf(id)).toEqual([done.file_name]);
    // The same job delivered again (pg-boss after a lost acknowledgement): nothing happens.
    expect(await runExportJob(deps(), job, { final: false })).toBe('skipped');
    expect(await objectsOf(id)).toEqual([done.file_name]);
    const actions = (await events(id)).map((e) => e.action);
    expect(actions.filter((a) => a === 'privacy.export.completed')).toHaveLength(1);
    expect(actions.filter((a) => a === 'privacy.export.started')).toHaveLength(2);
  });

  it('a lasting failure ends the export failed, with its code and event, and no link', async () => {
    target = recorder;
    const id = await start({ form: 'readable' });
    const broken = failingStorage(new AppError('storage_unavailable', 'The store is down'));
    const job = { tenantId: ws.id, exportId: id };
    // Not the last attempt: thrown for pg-boss to retry, the export still running.
    await expect(runExportJob(deps(broken), job, { final: false })).rejects.toThrow(
      'The store is down',
    );
    expect((await view(id)).state).toBe('running');
    // The last attempt: failed, for good.
    expect(await runExportJob(deps(broken), job, { final: true })).toBe('failed');
    const failed = await view(id);
    expect(failed).toMatchObject({
      state: 'failed',
      error_code: 'storage_unavailable',
      download_url: null,
      attempts: 2,
    });
    const last = (await events(id)).at(-1);
    expect(last).toMatchObject({
      action: 'privacy.export.failed',
      metadata: { error_code: 'storage_unavailable' },
    });
    expect(await runExportJob(deps(), job, { final: false })).toBe('skipped');
    expect(await objectsOf(id)).toEqual([]);
  });

  it('a personal export whose requester left the workspace fails at its first file, without a crash', async () => {
    target = recorder;
    const gone = await memberToken(t, ws, 'member');
    const res = await call(t, 'POST', `${base()}/exports`, {
      token: gone.token,
      payload: { scope: 'personal' },
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json<{ id: string }>().id;
    await t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
      tx.deleteFrom('memberships').where('user_id', '=', gone.userId).execute(),
    );
    // The profile is the zip's first file: it fails before the store has read a byte.
    const job = { tenantId: ws.id, exportId: id };
    expect(await runExportJob(deps(), job, { final: true })).toBe('failed');
    const row = await t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
      tx
        .selectFrom('privacy_exports')
        .select(['state', 'error_code'])
        .where('id', '=', id)
        .execute(),
    );
    expect(row).toEqual([{ state: 'failed', error_code: 'internal' }]);
    expect(await objectsOf(id)).toEqual([]);
  });
});

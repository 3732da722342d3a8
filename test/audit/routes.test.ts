/**
 * How a streamed export fails. The export writer is wrapped so it can fail
 * before its first byte or halfway through; either way the request's
 * transaction rolls back (no `activity.exported` event), the pool gets its
 * connection back, and the client can never take a partial file for a
 * complete one: before the first byte it gets the usual JSON error, after
 * it the connection is cut without the closing chunk.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bearer,
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { AppError } from '../../src/base/errors.js';
import type { AuditRecord } from '../../src/modules/audit/event.js';
import { createCheckpoint } from '../../src/modules/audit/checkpoints.js';
import { checkpointDir } from '../support/audit.js';

type Failure = 'none' | 'before' | 'app_error' | 'midway';
const failure = vi.hoisted((): { mode: Failure } => ({ mode: 'none' }));

vi.mock('../../src/modules/audit/export.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/modules/audit/export.js')>();
  return {
    ...original,
    writeAuditExport: async (...args: Parameters<typeof original.writeAuditExport>) => {
      const sink: Writable = args[2];
      if (failure.mode === 'before') throw new Error('database went away');
      if (failure.mode === 'app_error') throw new AppError('rate_limited', 'Slow down');
      if (failure.mode === 'midway') {
        sink.write(`${'x'.repeat(64 * 1024)}\n`);
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('database went away midway');
      }
      return original.writeAuditExport(...args);
    },
  };
});

let t: TestApp;
let ws: TestWorkspace;
let admin: string;
let port: number;

beforeAll(async () => {
  t = await startTestApp({ poolMax: 2 });
  ws = await newWorkspace(t);
  admin = (await memberToken(t, ws, 'admin')).token;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(() => t.close());

const exportUrl = () => `/api/v1/workspaces/${ws.id}/activity/export?format=jsonl`;

async function exportedEvents(): Promise<AuditRecord[]> {
  failure.mode = 'none';
  const res = await t.app.inject({
    url: `/api/v1/workspaces/${ws.id}/activity?action=activity.exported`,
    headers: bearer(admin),
  });
  expect(res.statusCode).toBe(200);
  return res.json<{ items: AuditRecord[] }>().items;
}

/** A real HTTP request: status, headers, the bytes received and whether the body completed. */
function download(): Promise<{
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  complete: boolean;
}> {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://127.0.0.1:${port}${exportUrl()}`, { headers: bearer(admin) });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          complete: res.complete,
        });
      res.on('end', done);
      res.on('aborted', done);
      res.on('error', () => undefined);
      res.on('close', done);
    });
  });
}

describe('a failing export', () => {
  it('answers the JSON error when it fails before the first byte, and records nothing', async () => {
    failure.mode = 'before';
    const res = await download();
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBeUndefined();
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'internal', message: 'Internal error' },
    });
    expect(res.body).not.toContain('went away');

    failure.mode = 'app_error';
    const coded = await download();
    expect(coded.status).toBe(429);
    expect(JSON.parse(coded.body)).toEqual({
      error: { code: 'rate_limited', message: 'Slow down' },
    });
    expect(await exportedEvents()).toEqual([]);
  });

  it('cuts the connection when it fails midway, so the file is visibly incomplete', async () => {
    failure.mode = 'midway';
    const res = await download();
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment/);
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.complete).toBe(false);
    expect(await exportedEvents()).toEqual([]);
  });

  it('leaks no connection: a working export and many reads still go through on a pool of 2', async () => {
    await exportedEvents(); // a read chains what the workspace has so far
    // An export ends at the newest signed checkpoint.
    await createCheckpoint(t.db, t.auditSigner, await checkpointDir(), ws.id);
    failure.mode = 'none';
    const ok = await download();
    expect(ok.status).toBe(200);
    expect(ok.complete).toBe(true);
    const lines = ok.body.trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    const reads = await Promise.all(
      Array.from({ length: 6 }, () =>
        t.app.inject({ url: `/api/v1/workspaces/${ws.id}/activity`, headers: bearer(admin) }),
      ),
    );
    expect(reads.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await exportedEvents()).toMatchObject([
      { metadata: { format: 'jsonl', complete: true, events: lines.length - 1 } },
    ]);
  });
});

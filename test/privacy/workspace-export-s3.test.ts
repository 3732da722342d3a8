/**
 * The workspace export on the S3 store, run as its job (the real SDK against s3rver): the
 * zip streams into a bucket through the sealed writer and the signed link
 * downloads it; the bucket holds only the sealed bytes (no plaintext).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { objectKey } from '../../src/modules/storage/index.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, seedContent } from '../support/http.js';
import { startBackend, type Backend } from '../storage/storage-harness.js';

let backend: Backend;
let t: TestApp;
let ws: TestWorkspace;
const MARK = 'charlie-5be0';

beforeAll(async () => {
  backend = await startBackend('s3');
  t = await startTestApp({ storage: { store: backend.store } });
  ws = await newWorkspace(t);
  await seedContent(t, ws, MARK);
});
afterAll(async () => {
  await t.close();
  await backend.close();
});

it('exports into the bucket, sealed, and downloads through the signed link', async () => {
  const res = await call(t, 'POST', `/api/v1/workspaces/${ws.id}/privacy/exports`, {
    token: ws.ownerToken,
    payload: { form: 'readable' },
  });
  expect(res.statusCode, res.body).toBe(202);
  const id = res.json<{ id: string }>().id;
  const status = await call(t, 'GET', `/api/v1/workspaces/${ws.id}/privacy/exports/${id}`, {
    token: ws.ownerToken,
  });
  const view = status.json<{ file_name: string; download_url: string; size: number }>();
  const stored = await backend.store.get(objectKey(ws.id, 'exports', view.file_name));
  const chunks: Buffer[] = [];
  for await (const c of stored) chunks.push(c as Buffer);
  const sealed = Buffer.concat(chunks);
  expect(sealed.length).toBe(view.size);
  expect(sealed.includes(Buffer.from(MARK))).toBe(false);
  expect(sealed.includes(Buffer.from('PK\x03\x04', 'latin1'))).toBe(false);
  const u = new URL(view.download_url);
  const got = await call(t, 'GET', `${u.pathname}${u.search}`);
  expect(got.statusCode, got.body).toBe(200);
  expect(got.rawPayload.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
});

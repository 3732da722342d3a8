/**
 * No sign-in secret (the code, the session token, the CSRF token) reaches a
 * log line at trace level, an error body or an audit row, through a whole
 * sign-in with failures, a CSRF refusal and a sign-out.
 */
import { randomBytes } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/base/logger.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { bearer, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { corpus, findLeaks, memoryStream } from '../support/log-capture.js';
import { ORIGIN } from '../support/sign-in.js';

let t: TestApp;
let admin: Admin;
const logs = memoryStream();

beforeAll(async () => {
  t = await startTestApp({ logger: createLogger('trace', logs) });
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

it('keeps codes, session tokens and CSRF tokens out of logs, error bodies and audit rows', async () => {
  const ws = await newWorkspace(t);
  const email = `secret-${randomBytes(6).toString('hex')}@example.test`;
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/members`,
    headers: bearer(ws.ownerToken),
    payload: { email },
  });
  const c = corpus();
  const send = async (req: InjectOptions) => {
    const res = await t.app.inject(req);
    // Successful answers hand the CSRF token to its owner on purpose; errors must not.
    if (res.statusCode >= 400) c.add(`response ${res.statusCode}`, res.body);
    return res;
  };
  await send({ method: 'POST', url: '/api/v1/auth/email/start', payload: { email } });
  const code = await t.codes.next(email);
  const wrongCode = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await send({
    method: 'POST',
    url: '/api/v1/auth/email/verify',
    payload: { email, code: wrongCode },
  });
  const ok = await send({
    method: 'POST',
    url: '/api/v1/auth/email/verify',
    payload: { email, code },
  });
  expect(ok.statusCode).toBe(200);
  const csrf = ok.json<{ csrf_token: string }>().csrf_token;
  const cookie = String(ok.headers['set-cookie']).split(';')[0] ?? '';
  const token = cookie.split('=')[1] ?? '';
  await send({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
  const refused = await send({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/workrooms`,
    headers: { cookie, origin: 'https://evil.example', 'x-csrf-token': `${csrf}x` },
    payload: { name: 'n' },
  });
  expect(refused.statusCode).toBe(403);
  await send({
    method: 'POST',
    url: '/api/v1/auth/sign-out',
    headers: { cookie, origin: ORIGIN, 'x-csrf-token': csrf },
  });
  await send({ method: 'GET', url: '/api/v1/me', headers: { cookie } });

  for (const line of logs.lines) c.add('log', line);
  const { rows } = await admin.client.query<{ row: string }>(
    `select a::text as row from wardroom.audit_log a where tenant_id = $1`,
    [ws.id],
  );
  for (const r of rows) c.add('audit', r.row);
  expect(logs.lines.length).toBeGreaterThan(5);
  expect(rows.some((r) => r.row.includes('auth.sign_in.succeeded'))).toBe(true);
  expect(findLeaks(c, { token, csrf })).toEqual([]);
  // Six digits are too short for leakForms: look for them as a value.
  for (const digits of [code, wrongCode]) {
    for (const { source, text } of c.texts) {
      expect(text, source).not.toMatch(new RegExp(`["=:]${digits}["&,}]`));
    }
  }
});

/**
 * Revocation across server processes: two servers (each its own pool and
 * its own database listeners) on one database. Each of the four changes
 * made through server A (a session revoked, an API token revoked, a member
 * removed, a role lowered) is refused (or re-scoped) by server B within one
 * second. Each case first shows B accepting, so the test can fail.
 *
 * The one second is a correctness bound, not a speed figure: B polls with
 * a deadline and the first refusal must come before it. Today nothing on
 * the request path is cached (sessions, tokens and memberships are read in
 * each request's transaction), so the refusal is the very next request;
 * a cache added later must keep this test green.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPrincipal } from '../../src/db/principal.js';
import { revokeApiToken } from '../../src/modules/tenancy/api-tokens.js';
import { parseToken } from '../../src/modules/tenancy/token-format.js';
import {
  bearer,
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { signIn } from '../support/sign-in.js';

const BOUND_MS = 1000;

let a: TestApp;
let b: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp();
  ws = await newWorkspace(a);
});
afterAll(async () => {
  await b.close();
  await a.close();
});

/** Sends until `refused(status)` or the deadline: the first refusal's status and whether it was in time. */
async function firstRefusal(
  send: () => Promise<number>,
  refused: (status: number) => boolean,
): Promise<{ status: number; inTime: boolean }> {
  const deadline = Date.now() + BOUND_MS;
  for (;;) {
    const status = await send();
    const now = Date.now();
    if (refused(status)) return { status, inTime: now <= deadline };
    if (now > deadline) return { status, inTime: false };
  }
}

const getOnB = (url: string, headers: Record<string, string>) => async () =>
  (await b.app.inject({ method: 'GET', url, headers })).statusCode;

describe('a change made on server A reaches server B within one second', () => {
  it('a revoked session', async () => {
    const email = `person-${randomBytes(6).toString('hex')}@example.test`;
    await a.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/members`,
      headers: bearer(ws.ownerToken),
      payload: { email, role: 'member' },
    });
    const laptop = await signIn(a, email);
    const phone = await signIn(a, email);
    const read = getOnB(`/api/v1/workspaces/${ws.id}/workrooms`, { cookie: laptop.cookie });
    expect(await read()).toBe(200);

    const sessions = await a.app.inject({
      method: 'GET',
      url: '/api/v1/me/sessions',
      headers: { cookie: laptop.cookie },
    });
    const laptopSession = sessions
      .json<{ items: { id: string; current: boolean }[] }>()
      .items.find((s) => s.current);
    expect(laptopSession).toBeDefined();
    const revoked = await a.app.inject({
      method: 'DELETE',
      url: `/api/v1/me/sessions/${laptopSession?.id ?? ''}`,
      headers: phone.write,
    });
    expect(revoked.statusCode).toBe(204);

    expect(await firstRefusal(read, (s) => s === 401)).toEqual({ status: 401, inTime: true });
    // The other session is untouched.
    expect(await getOnB(`/api/v1/workspaces/${ws.id}/workrooms`, { cookie: phone.cookie })()).toBe(
      200,
    );
  });

  it('a revoked API token', async () => {
    const { token, userId } = await memberToken(a, ws, 'member');
    const read = getOnB(`/api/v1/workspaces/${ws.id}/workrooms`, bearer(token));
    expect(await read()).toBe(200);

    const tokenId = parseToken(token)?.tokenId ?? '';
    await a.db.withTenant(userPrincipal(ws.id, userId), (tx) => revokeApiToken(tx, tokenId));

    expect(await firstRefusal(read, (s) => s === 401)).toEqual({ status: 401, inTime: true });
  });

  it('a removed member', async () => {
    const { token, userId } = await memberToken(a, ws, 'member');
    const read = getOnB(`/api/v1/workspaces/${ws.id}/workrooms`, bearer(token));
    expect(await read()).toBe(200);

    const removed = await a.app.inject({
      method: 'DELETE',
      url: `/api/v1/workspaces/${ws.id}/members/${userId}`,
      headers: bearer(ws.ownerToken),
    });
    expect(removed.statusCode).toBe(204);

    const refusal = await firstRefusal(read, (s) => s === 401 || s === 404);
    expect(refusal.inTime).toBe(true);
  });

  it('a lowered role (admin to viewer): B re-scopes the same token', async () => {
    const { token, userId } = await memberToken(a, ws, 'admin');
    const adminOnly = getOnB(`/api/v1/workspaces/${ws.id}/members`, bearer(token));
    const anyRole = getOnB(`/api/v1/workspaces/${ws.id}/workrooms`, bearer(token));
    expect(await adminOnly()).toBe(200);

    const changed = await a.app.inject({
      method: 'PATCH',
      url: `/api/v1/workspaces/${ws.id}/members/${userId}`,
      headers: bearer(ws.ownerToken),
      payload: { role: 'viewer' },
    });
    expect(changed.statusCode).toBe(200);

    expect(await firstRefusal(adminOnly, (s) => s === 403)).toEqual({
      status: 403,
      inTime: true,
    });
    // Still a viewer: reading is allowed.
    expect(await anyRole()).toBe(200);
  });
});

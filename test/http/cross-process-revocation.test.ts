/**
 * Revocation across server processes: two servers (each its own pool and
 * its own database listeners) on one database. Each of the four changes
 * made through server A (a session revoked, an API token revoked, a member
 * removed, a role lowered) is refused (or re-scoped) by server B within one
 * second. Each case first shows B accepting, so the test can fail.
 *
 * The one second is a correctness bound, not a speed figure: B polls with
 * a deadline and the first refusal must come before it. Resolved sessions
 * are cached per process (B has just used the session when it is revoked),
 * so the session case is carried by the NOTIFY; tokens and memberships are
 * read in each request's own transaction. Last, a server deaf to the
 * notifications (as during an outage of its listening connection) keeps a
 * revoked session no longer than the cache's TTL, shown on a clock the
 * test moves.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userPrincipal } from '../../src/db/principal.js';
import { revokeApiToken } from '../../src/modules/tenancy/api-tokens.js';
import { parseToken } from '../../src/modules/tenancy/token-format.js';
import { DEFAULT_SESSION_CACHE_TTL_MS } from '../../src/modules/auth/index.js';
import {
  bearer,
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { signIn, type Browser } from '../support/sign-in.js';

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

const getOn = (app: TestApp, url: string, headers: Record<string, string>) => async () =>
  (await app.app.inject({ method: 'GET', url, headers })).statusCode;
const getOnB = (url: string, headers: Record<string, string>) => getOn(b, url, headers);

/** A member who signs in on A twice (two devices). */
async function signedInTwice(): Promise<[Browser, Browser]> {
  const email = `person-${randomBytes(6).toString('hex')}@example.test`;
  const invited = await a.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/members`,
    headers: bearer(ws.ownerToken),
    payload: { email, role: 'member' },
  });
  expect(invited.statusCode).toBe(201);
  return [await signIn(a, email), await signIn(a, email)];
}

/** Revokes `device`'s session on A, from `other` (DELETE /me/sessions/{id}). */
async function revokeOnA(device: Browser, other: Browser): Promise<void> {
  const sessions = await a.app.inject({
    method: 'GET',
    url: '/api/v1/me/sessions',
    headers: { cookie: device.cookie },
  });
  const id = sessions
    .json<{ items: { id: string; current: boolean }[] }>()
    .items.find((s) => s.current)?.id;
  expect(id).toBeDefined();
  const revoked = await a.app.inject({
    method: 'DELETE',
    url: `/api/v1/me/sessions/${id ?? ''}`,
    headers: other.write,
  });
  expect(revoked.statusCode).toBe(204);
}

describe('a change made on server A reaches server B within one second', () => {
  it('a revoked session', async () => {
    const [laptop, phone] = await signedInTwice();
    const read = getOnB(`/api/v1/workspaces/${ws.id}/workrooms`, { cookie: laptop.cookie });
    expect(await read()).toBe(200);

    await revokeOnA(laptop, phone);

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

describe('a server that misses the notification', () => {
  let clock = Date.now();
  let deaf: TestApp;

  beforeAll(async () => {
    deaf = await startTestApp({ sessionCache: { subscribe: false, now: () => clock } });
  });
  afterAll(async () => {
    await deaf.close();
  });

  it('keeps a revoked session no longer than the cache TTL', async () => {
    const [laptop, phone] = await signedInTwice();
    const read = getOn(deaf, `/api/v1/workspaces/${ws.id}/workrooms`, { cookie: laptop.cookie });
    expect(await read()).toBe(200);

    await revokeOnA(laptop, phone);
    // Deaf, and within the TTL: the cached session still passes (what the NOTIFY prevents).
    clock += DEFAULT_SESSION_CACHE_TTL_MS - 1;
    expect(await read()).toBe(200);
    // Past the TTL the session is looked up again, and refused.
    clock += 2;
    expect(await read()).toBe(401);
  });
});

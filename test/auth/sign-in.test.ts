/**
 * Email-code sign-in, attacked: no account enumeration, expiry, the
 * five-attempt lockout, reuse, a code used for another address, audit
 * events in each of the person's workspaces, nothing secret in audit rows,
 * and the cookie's attributes. Codes arrive through the recorder
 * (test/support/code-recorder.ts), standing in for the mail module.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  bearer,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { cookiePair, signIn } from '../support/sign-in.js';

let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
let other: TestWorkspace;

const START = '/api/v1/auth/email/start';
const VERIFY = '/api/v1/auth/email/verify';

beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  ws = await newWorkspace(t);
  other = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const fresh = () => `person-${randomBytes(6).toString('hex')}@example.test`;

/** Invites `email` into `into` as a member, through the members route (the owner's token). */
async function invite(into: TestWorkspace, email: string, role = 'member'): Promise<void> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${into.id}/members`,
    headers: bearer(into.ownerToken),
    payload: { email, role },
  });
  expect(res.statusCode).toBe(201);
}

const start = (email: string) => t.app.inject({ method: 'POST', url: START, payload: { email } });
const verify = (email: string, code: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: VERIFY, payload: { email, code }, headers });

async function sessionCount(email: string): Promise<number> {
  const { rows } = await admin.client.query<{ n: string }>(
    `select count(*) as n from wardroom.sessions s join wardroom.users u on u.id = s.user_id
      where lower(u.email) = lower($1)`,
    [email],
  );
  return Number(rows[0]?.n);
}

/** A six-digit code that is not `code`. */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('start', () => {
  it('answers a known and an unknown address the same, and mails only the known one', async () => {
    const known = fresh();
    await invite(ws, known);
    const unknown = fresh();
    const a = await start(known);
    const b = await start(unknown);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(a.body).toBe(b.body);
    expect(a.json()).toEqual({ status: 'code_sent_if_known' });
    expect(await t.codes.next(known)).toMatch(/^[0-9]{6}$/);
    expect(t.codes.sent.some((s) => s.to === unknown)).toBe(false);
    // Nothing was created for the unknown address.
    expect(await admin.userExists(unknown)).toBe(false);
  });

  it('stores only a keyed hash of the code', async () => {
    const email = fresh();
    await invite(ws, email);
    await start(email);
    const code = await t.codes.next(email);
    const { rows } = await admin.client.query<{ row: string }>(
      `select c::text as row from wardroom.sign_in_codes c join wardroom.users u on u.id = c.user_id
        where lower(u.email) = $1`,
      [email],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.row).not.toContain(code);
    expect(rows[0]?.row).not.toContain(Buffer.from(code).toString('hex'));
  });

  it('refuses a malformed address with validation_failed', async () => {
    const res = await start('not an address');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});

describe('verify', () => {
  it('signs in with the code and sets the session cookie (plain http on loopback)', async () => {
    const email = fresh();
    await invite(ws, email);
    await start(email);
    const res = await verify(email, await t.codes.next(email));
    expect(res.statusCode).toBe(200);
    const body = res.json<{ user: { id: string; email: string }; csrf_token: string }>();
    expect(body.user.email).toBe(email);
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^wardroom_session=[A-Za-z0-9_-]{43}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Domain');
    expect(cookie).not.toContain('Secure');
  });

  it('refuses a wrong code and an unknown address with the same answer', async () => {
    const email = fresh();
    await invite(ws, email);
    await start(email);
    const code = await t.codes.next(email);
    const bad = await verify(email, wrong(code));
    const unknown = await verify(fresh(), code);
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ error: { code: 'code_invalid' } });
    expect(unknown.statusCode).toBe(bad.statusCode);
    expect(unknown.body).toBe(bad.body);
    expect(bad.headers['set-cookie']).toBeUndefined();
    expect(await sessionCount(email)).toBe(0);
  });

  it('locks the code after five wrong attempts, until a new one is asked for', async () => {
    const email = fresh();
    await invite(ws, email);
    await start(email);
    const code = await t.codes.next(email);
    for (let i = 0; i < 5; i += 1) {
      const res = await verify(email, wrong(code));
      expect(res.json()).toMatchObject({ error: { code: 'code_invalid' } });
    }
    const locked = await verify(email, code);
    expect(locked.statusCode).toBe(401);
    expect(locked.json()).toMatchObject({ error: { code: 'code_attempts_exceeded' } });
    expect(await sessionCount(email)).toBe(0);
    await start(email);
    const next = await t.codes.next(email);
    expect((await verify(email, next)).statusCode).toBe(200);
  });

  it('refuses an expired code and creates nothing', async () => {
    const email = fresh();
    await invite(ws, email);
    await start(email);
    const code = await t.codes.next(email);
    await admin.client.query(
      `update wardroom.sign_in_codes set expires_at = now() - interval '1 second'
        where user_id = (select id from wardroom.users where lower(email) = $1)`,
      [email],
    );
    const res = await verify(email, code);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'code_expired' } });
    expect(await sessionCount(email)).toBe(0);
  });

  it('refuses a code used twice', async () => {
    const email = fresh();
    await invite(ws, email);
    await start(email);
    const code = await t.codes.next(email);
    expect((await verify(email, code)).statusCode).toBe(200);
    const again = await verify(email, code);
    expect(again.json()).toMatchObject({ error: { code: 'code_invalid' } });
    expect(await sessionCount(email)).toBe(1);
  });

  it("refuses one address's code for another address", async () => {
    const alice = fresh();
    const bob = fresh();
    await invite(ws, alice);
    await invite(ws, bob);
    await start(alice);
    await start(bob);
    const aliceCode = await t.codes.next(alice);
    const bobCode = await t.codes.next(bob);
    // Equal codes happen once in a million runs; then the attack is moot.
    if (aliceCode === bobCode) return;
    const res = await verify(bob, aliceCode);
    expect(res.json()).toMatchObject({ error: { code: 'code_invalid' } });
    expect(await sessionCount(bob)).toBe(0);
    expect((await verify(bob, bobCode)).statusCode).toBe(200);
  });

  it('replaces the earlier code when a new one is asked for', async () => {
    const email = fresh();
    await invite(ws, email);
    await start(email);
    const first = await t.codes.next(email);
    await start(email);
    const second = await t.codes.next(email);
    if (first === second) return;
    expect((await verify(email, first)).json()).toMatchObject({ error: { code: 'code_invalid' } });
    expect((await verify(email, second)).statusCode).toBe(200);
  });

  it('gives a new session id at every sign-in', async () => {
    const email = fresh();
    await invite(ws, email);
    const a = await signIn(t, email);
    const b = await signIn(t, email);
    expect(a.cookie).not.toBe(b.cookie);
    expect(a.csrf).not.toBe(b.csrf);
    expect(await sessionCount(email)).toBe(2);
  });
});

describe('audit', () => {
  it('records success and failure in each of the person’s workspaces, with no secret', async () => {
    const email = fresh();
    await invite(ws, email);
    await invite(other, email, 'viewer');
    await start(email);
    const code = await t.codes.next(email);
    await verify(email, wrong(code));
    const res = await verify(email, code, { 'user-agent': 'audit-test' });
    expect(res.statusCode).toBe(200);
    const { user, csrf_token } = res.json<{ user: { id: string }; csrf_token: string }>();
    const token = cookiePair(res.headers['set-cookie']).split('=')[1] ?? '';
    const { rows } = await admin.client.query<{
      tenant_id: string;
      action: string;
      actor_type: string;
      actor_id: string;
      metadata: Record<string, string>;
      row: string;
    }>(
      `select tenant_id, action, actor_type, actor_id, metadata, a::text as row
         from wardroom.audit_log a where action like 'auth.%' and actor_id = $1
        order by id`,
      [user.id],
    );
    for (const tenant of [ws.id, other.id]) {
      const mine = rows.filter((r) => r.tenant_id === tenant);
      expect(mine.map((r) => r.action)).toEqual(['auth.sign_in.failed', 'auth.sign_in.succeeded']);
      expect(mine[0]?.metadata).toMatchObject({ reason: 'code_invalid' });
      for (const r of mine) expect(r.actor_type).toBe('user');
    }
    for (const r of rows) {
      for (const secret of [code, wrong(code), token, csrf_token])
        expect(r.row).not.toContain(secret);
    }
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After past the per-address limit', async () => {
    const limited = await startTestApp({
      auth: { signInLimits: { perAddressPerHour: 3, perIpPerHour: 1000 } },
    });
    try {
      const email = fresh();
      const send = (ip: string) =>
        limited.app.inject({ method: 'POST', url: START, payload: { email }, remoteAddress: ip });
      for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3'])
        expect((await send(ip)).statusCode).toBe(202);
      const res = await send('10.0.0.4');
      expect(res.statusCode).toBe(429);
      expect(res.json()).toMatchObject({ error: { code: 'rate_limited' } });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // Another address is not limited by this one's count.
      const otherAddress = await limited.app.inject({
        method: 'POST',
        url: START,
        payload: { email: fresh() },
        remoteAddress: '10.0.0.4',
      });
      expect(otherAddress.statusCode).toBe(202);
    } finally {
      await limited.close();
    }
  });

  it('answers 429 with Retry-After past the per-client-address limit, verify included', async () => {
    const limited = await startTestApp({
      auth: { signInLimits: { perAddressPerHour: 1000, perIpPerHour: 2 } },
    });
    try {
      const ip = '10.0.1.1';
      expect(
        (
          await limited.app.inject({
            method: 'POST',
            url: START,
            payload: { email: fresh() },
            remoteAddress: ip,
          })
        ).statusCode,
      ).toBe(202);
      expect(
        (
          await limited.app.inject({
            method: 'POST',
            url: VERIFY,
            payload: { email: fresh(), code: '123456' },
            remoteAddress: ip,
          })
        ).statusCode,
      ).toBe(401);
      const res = await limited.app.inject({
        method: 'POST',
        url: VERIFY,
        payload: { email: fresh(), code: '123456' },
        remoteAddress: ip,
      });
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('rate limits shared through Redis', () => {
  const redisUrl = process.env['TEST_REDIS_URL'];

  it.runIf(redisUrl !== undefined)('counts an address across processes', async () => {
    const clients = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')];
    const apps = await Promise.all(
      clients.map((redis) =>
        startTestApp({
          rateLimit: { perMinute: 0, redis },
          auth: { signInLimits: { perAddressPerHour: 2, perIpPerHour: 1_000_000 } },
        }),
      ),
    );
    try {
      const email = fresh();
      const codes = [];
      for (const app of apps.concat(apps)) {
        const res = await app.app.inject({ method: 'POST', url: START, payload: { email } });
        codes.push(res.statusCode);
      }
      expect(codes).toEqual([202, 202, 429, 429]);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
      for (const redis of clients) redis.disconnect();
    }
  });
});

describe('cookie over TLS', () => {
  it('is __Host-wardroom_session with Secure behind a TLS-terminating proxy', async () => {
    const proxied = await startTestApp({ trustProxy: ['127.0.0.1'] });
    try {
      const member = await newWorkspace(proxied);
      const email = fresh();
      await proxied.app.inject({
        method: 'POST',
        url: `/api/v1/workspaces/${member.id}/members`,
        headers: bearer(member.ownerToken),
        payload: { email },
      });
      const https = { 'x-forwarded-proto': 'https' };
      await proxied.app.inject({ method: 'POST', url: START, payload: { email }, headers: https });
      const code = await proxied.codes.next(email);
      const res = await proxied.app.inject({
        method: 'POST',
        url: VERIFY,
        payload: { email, code },
        headers: https,
      });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^__Host-wardroom_session=[A-Za-z0-9_-]{43}; /);
      expect(cookie).toContain('Secure');
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/');
      const token = cookiePair(res.headers['set-cookie']).split('=')[1] ?? '';
      const me = (cookieHeader: string, proto: string) =>
        proxied.app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { cookie: cookieHeader, 'x-forwarded-proto': proto },
        });
      expect((await me(`__Host-wardroom_session=${token}`, 'https')).statusCode).toBe(200);
      // Over TLS the unprefixed name, which any subdomain could set, is not honoured.
      expect((await me(`wardroom_session=${token}`, 'https')).statusCode).toBe(401);
    } finally {
      await proxied.close();
    }
  });
});

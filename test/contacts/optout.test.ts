/**
 * The public opt-out, end to end in process: the same answer for every
 * address; the emailed code (wrong, expired, reused, too many attempts);
 * on confirmation every contact with the address is deleted in every
 * workspace, each workspace sees `privacy.optout.applied` with a count and
 * no address, re-import is refused with `contact_suppressed`, and the
 * person is sent a confirmation; a configured delay defers the deletion but
 * not the suppression; rate limits per address and per client address.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyOptOut } from '../../src/modules/contacts/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, expectError } from '../support/http.js';

let t: TestApp;
let admin: Admin;
let A: TestWorkspace;
let B: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  A = await newWorkspace(t);
  B = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const unique = () => randomBytes(6).toString('hex');
const contacts = (w: TestWorkspace) => `/api/v1/workspaces/${w.id}/contacts`;

async function addContact(app: TestApp, w: TestWorkspace, email: string): Promise<string> {
  const res = await call(app, 'POST', contacts(w), {
    token: w.ownerToken,
    payload: { name: 'Someone', email },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}
const start = (app: TestApp, email: string) =>
  call(app, 'POST', '/api/v1/privacy/optout', { payload: { email } });
const confirm = (app: TestApp, email: string, code: string) =>
  call(app, 'POST', '/api/v1/privacy/optout/confirm', { payload: { email, code } });
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

async function count(w: TestWorkspace): Promise<number> {
  const { rows } = await admin.client.query<{ n: string }>(
    'select count(*) as n from wardroom.contacts where tenant_id = $1',
    [w.id],
  );
  return Number(rows[0]?.n);
}

describe('starting an opt-out', () => {
  it('answers the same for a held and an unknown address, and emails a code to each', async () => {
    const held = `held-${unique()}@example.test`;
    await addContact(t, A, held);
    const unknown = `unknown-${unique()}@example.test`;
    const a = await start(t, held);
    const b = await start(t, unknown);
    expect(a.statusCode).toBe(202);
    expect(b.statusCode).toBe(202);
    expect(a.body).toBe(b.body);
    expect(a.headers['cache-control']).toBe('no-store');
    expect(await t.optOut.mail.nextCode(held)).toMatch(/^[0-9]{6}$/);
    expect(await t.optOut.mail.nextCode(unknown)).toMatch(/^[0-9]{6}$/);
  });

  it('refuses bad input with validation_failed', async () => {
    expectError(await start(t, 'nope'), 400, 'validation_failed');
    const res = await call(t, 'POST', '/api/v1/privacy/optout/confirm', {
      payload: { email: 'a@example.test', code: '12345' },
    });
    expectError(res, 400, 'validation_failed');
  });
});

describe('confirming', () => {
  it('deletes the address in every workspace, records a count, refuses re-import, confirms by email', async () => {
    const email = `Person.${unique()}@Example.test`;
    await addContact(t, A, email);
    await addContact(t, A, email.toLowerCase());
    await addContact(t, B, ` ${email.toUpperCase()}`.trim());
    const keep = await addContact(t, B, `other-${unique()}@example.test`);
    const [a0, b0] = [await count(A), await count(B)];
    await start(t, email);
    const code = await t.optOut.mail.nextCode(email);
    expectError(await confirm(t, email, wrong(code)), 401, 'code_invalid');
    const ok = await confirm(t, email.toLowerCase(), code);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'opted_out' });
    expect(await count(A)).toBe(a0 - 2);
    expect(await count(B)).toBe(b0 - 1);
    const kept = await call(t, 'GET', `${contacts(B)}/${keep}`, { token: B.ownerToken });
    expect(kept.statusCode).toBe(200);
    // Activity: a count, never the address.
    for (const [w, n] of [
      [A, 2],
      [B, 1],
    ] as const) {
      const activity = await call(t, 'GET', `/api/v1/workspaces/${w.id}/activity?limit=50`, {
        token: w.ownerToken,
      });
      const events = activity
        .json<{ items: { action: string; metadata: Record<string, unknown> }[] }>()
        .items.filter((e) => e.action === 'privacy.optout.applied');
      expect(events).toHaveLength(1);
      expect(events[0]?.metadata).toEqual({ count: n });
      expect(activity.body.toLowerCase()).not.toContain(email.toLowerCase());
    }
    // Re-import is refused, in these workspaces and a new one, without echoing the address.
    const fresh = await newWorkspace(t);
    for (const w of [A, B, fresh]) {
      const res = await call(t, 'POST', contacts(w), {
        token: w.ownerToken,
        payload: { name: 'Again', email: email.toUpperCase() },
      });
      expectError(res, 409, 'contact_suppressed');
      expect(res.body.toLowerCase()).not.toContain(email.toLowerCase());
    }
    // Nor may an edit move a contact to the address.
    const edited = await call(t, 'PATCH', `${contacts(B)}/${keep}`, {
      token: B.ownerToken,
      payload: { email },
    });
    expectError(edited, 409, 'contact_suppressed');
    expect(t.optOut.mail.confirmations.some((c) => c.to === email.toLowerCase())).toBe(true);
    // The code worked once.
    expectError(await confirm(t, email, code), 401, 'code_invalid');
  });

  it('refuses an expired code', async () => {
    const email = `expired-${unique()}@example.test`;
    await start(t, email);
    const code = await t.optOut.mail.nextCode(email);
    await admin.client.query(
      "update wardroom.privacy_optout_codes set expires_at = now() - interval '1 second' where expires_at > now() - interval '1 minute' and created_at > now() - interval '1 minute' and attempts = 0 and code_hmac is not null and address_hash in (select address_hash from wardroom.privacy_optout_codes order by created_at desc limit 1)",
    );
    expectError(await confirm(t, email, code), 401, 'code_expired');
  });

  it('refuses after too many wrong codes, even the right one', async () => {
    const email = `guess-${unique()}@example.test`;
    await start(t, email);
    const code = await t.optOut.mail.nextCode(email);
    for (let i = 0; i < 5; i += 1) {
      expectError(await confirm(t, email, wrong(code)), 401, 'code_invalid');
    }
    expectError(await confirm(t, email, code), 401, 'code_attempts_exceeded');
    // A new code resets the count.
    await start(t, email);
    const next = await t.optOut.mail.nextCode(email);
    expect((await confirm(t, email, next)).statusCode).toBe(200);
  });

  it("refuses another address's code", async () => {
    const mine = `mine-${unique()}@example.test`;
    const theirs = `theirs-${unique()}@example.test`;
    await start(t, mine);
    await start(t, theirs);
    const code = await t.optOut.mail.nextCode(mine);
    await t.optOut.mail.nextCode(theirs);
    expectError(await confirm(t, theirs, code), 401, 'code_invalid');
  });
});

describe('with a delay', () => {
  it('suppresses at once and deletes when the job comes due', async () => {
    const d = await startTestApp({ optOut: { settings: { delayDays: 30 } } });
    try {
      const w = await newWorkspace(d);
      const email = `later-${unique()}@example.test`;
      await addContact(d, w, email);
      await start(d, email);
      const ok = await confirm(d, email, await d.optOut.mail.nextCode(email));
      const deleteBy = new Date(ok.json<{ delete_by: string }>().delete_by);
      const days = (deleteBy.getTime() - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThanOrEqual(30);
      expect(await count(w)).toBe(1);
      const again = await call(d, 'POST', contacts(w), {
        token: w.ownerToken,
        payload: { name: 'Again', email },
      });
      expectError(again, 409, 'contact_suppressed');
      const [job] = d.optOut.scheduler.later;
      expect(job).toBeDefined();
      expect(await applyOptOut(d.db, d.optOut.keys, job!.suppressionId)).toEqual({
        workspaces: 1,
        deleted: 1,
      });
      expect(await count(w)).toBe(0);
      // Applied once: a second run finds nothing to do.
      expect(await applyOptOut(d.db, d.optOut.keys, job!.suppressionId)).toBeNull();
    } finally {
      await d.close();
    }
  });
});

describe('rate limits', () => {
  it('limits per address and per client address, with Retry-After', async () => {
    const r = await startTestApp({ optOut: { limits: { perAddressPerHour: 2, perIpPerHour: 4 } } });
    try {
      const email = `limited-${unique()}@example.test`;
      expect((await start(r, email)).statusCode).toBe(202);
      expect((await start(r, email)).statusCode).toBe(202);
      const third = await start(r, email);
      expectError(third, 429, 'rate_limited');
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
      expect((await start(r, `a-${unique()}@example.test`)).statusCode).toBe(202);
      expectError(await start(r, `b-${unique()}@example.test`), 429, 'rate_limited');
    } finally {
      await r.close();
    }
  });
});

/**
 * Contacts over HTTP: create, list, find by email (through the blind index,
 * with the address normalised), get, edit, delete; who may do what; bad
 * input changes nothing; every change is an audit event naming columns,
 * never values.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { call, expectError } from '../support/http.js';

let t: TestApp;
let admin: Admin;
let A: TestWorkspace;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
  A = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const unique = () => randomBytes(5).toString('hex');
const url = (id?: string) =>
  `/api/v1/workspaces/${A.id}/contacts${id === undefined ? '' : `/${id}`}`;

interface Contact {
  id: string;
  name: string;
  email: string;
  company: string | null;
  notes: string | null;
}

async function create(body: object): Promise<Contact> {
  const res = await call(t, 'POST', url(), { token: A.ownerToken, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Contact>();
}

describe('contacts', () => {
  it('creates, reads, finds by address, edits and deletes a contact', async () => {
    const email = `Ada.${unique()}@Example.test`;
    const made = await create({ name: 'Ada Lovelace', email, company: 'Analytical', notes: 'n' });
    expect(made).toMatchObject({ name: 'Ada Lovelace', email, company: 'Analytical', notes: 'n' });
    const got = await call(t, 'GET', url(made.id), { token: A.ownerToken });
    expect(got.json()).toMatchObject({ id: made.id, email, company: 'Analytical' });
    // Found by the normalised address: case and surrounding space do not matter.
    const search = encodeURIComponent(email.toUpperCase());
    const found = await call(t, 'GET', `${url()}?email=${search}`, { token: A.ownerToken });
    expect(found.json<{ items: Contact[] }>().items.map((c) => c.id)).toEqual([made.id]);
    const other = await call(t, 'GET', `${url()}?email=nobody-${unique()}@example.test`, {
      token: A.ownerToken,
    });
    expect(other.json()).toEqual({ items: [], next_cursor: null });
    const newEmail = `ada-${unique()}@example.test`;
    const edited = await call(t, 'PATCH', url(made.id), {
      token: A.ownerToken,
      payload: { email: newEmail, company: null },
    });
    expect(edited.json()).toMatchObject({ email: newEmail, company: null, notes: 'n' });
    const byNew = await call(t, 'GET', `${url()}?email=${newEmail}`, { token: A.ownerToken });
    expect(byNew.json<{ items: Contact[] }>().items).toHaveLength(1);
    const byOld = await call(t, 'GET', `${url()}?email=${encodeURIComponent(email)}`, {
      token: A.ownerToken,
    });
    expect(byOld.json<{ items: Contact[] }>().items).toHaveLength(0);
    const deleted = await call(t, 'DELETE', url(made.id), { token: A.ownerToken });
    expect(deleted.statusCode).toBe(204);
    expectError(await call(t, 'GET', url(made.id), { token: A.ownerToken }), 404, 'not_found');
    expectError(await call(t, 'DELETE', url(made.id), { token: A.ownerToken }), 404, 'not_found');
    const { rows } = await admin.client.query<{ action: string; metadata: unknown }>(
      `select action, metadata from wardroom.audit_log
        where tenant_id = $1 and action like 'contact.%' order by occurred_at, id`,
      [A.id],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'contact.created',
      'contact.updated',
      'contact.deleted',
    ]);
    for (const secret of [email, newEmail, 'Analytical', 'Lovelace']) {
      expect(JSON.stringify(rows).toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });

  it('lets members read and only admins write; viewers see nothing', async () => {
    const made = await create({ name: 'Grace', email: `grace-${unique()}@example.test` });
    const memberT = (await memberToken(t, A, 'member')).token;
    const viewerT = (await memberToken(t, A, 'viewer')).token;
    expect((await call(t, 'GET', url(made.id), { token: memberT })).statusCode).toBe(200);
    expectError(await call(t, 'GET', url(), { token: viewerT }), 403, 'forbidden');
    expectError(
      await call(t, 'POST', url(), {
        token: memberT,
        payload: { name: 'x', email: 'x@example.test' },
      }),
      403,
      'forbidden',
    );
    expectError(await call(t, 'DELETE', url(made.id), { token: memberT }), 403, 'forbidden');
  });

  it('refuses bad input with a stable code and writes nothing', async () => {
    const before = await admin.counts(A.id);
    for (const payload of [
      {},
      { name: 'x' },
      { name: 'x', email: 'not-an-address' },
      { name: '', email: 'a@example.test' },
      { name: 'a\u0007b', email: 'a@example.test' },
      { name: 'x', email: 'a@example.test', extra: 1 },
      { name: 'x', email: 'a@example.test', notes: 'a\0b' },
    ]) {
      expectError(
        await call(t, 'POST', url(), { token: A.ownerToken, payload }),
        400,
        'validation_failed',
        JSON.stringify(payload),
      );
    }
    expectError(
      await call(t, 'PATCH', url(crypto.randomUUID()), { token: A.ownerToken, payload: {} }),
      400,
      'validation_failed',
    );
    expectError(
      await call(t, 'GET', `${url()}?cursor=zzz`, { token: A.ownerToken }),
      400,
      'invalid_cursor',
    );
    expect(await admin.counts(A.id)).toEqual(before);
  });

  it('pages through contacts with a cursor', async () => {
    const w = await newWorkspace(t);
    const base = `/api/v1/workspaces/${w.id}/contacts`;
    for (let i = 0; i < 3; i += 1) {
      const res = await call(t, 'POST', base, {
        token: w.ownerToken,
        payload: { name: `P${i}`, email: `p${i}-${unique()}@example.test` },
      });
      expect(res.statusCode).toBe(201);
    }
    const first = await call(t, 'GET', `${base}?limit=2`, { token: w.ownerToken });
    const page = first.json<{ items: Contact[]; next_cursor: string }>();
    expect(page.items.map((c) => c.name)).toEqual(['P0', 'P1']);
    const second = await call(t, 'GET', `${base}?limit=2&cursor=${page.next_cursor}`, {
      token: w.ownerToken,
    });
    expect(second.json()).toMatchObject({ items: [{ name: 'P2' }], next_cursor: null });
  });
});

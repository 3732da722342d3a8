/**
 * Contacts' security claims, adversarially: another workspace's contact id
 * answers 404 and changes nothing; a sealed field moved to another row or
 * column, or an older one written back, fails to open; the blind index is
 * keyed (not a plain SHA-256 of the address) and differs between
 * workspaces; no table, dump or audit event holds the address in clear.
 */
import { dumpRows } from '../support/dump.js';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { normaliseEmail } from '../../src/modules/contacts/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, expectError } from '../support/http.js';
import { memoryStream } from '../support/log-capture.js';
import { createLogger } from '../../src/base/logger.js';

let t: TestApp;
let admin: Admin;
let A: TestWorkspace;
let B: TestWorkspace;
const logs = memoryStream();
beforeAll(async () => {
  t = await startTestApp({ logger: createLogger('debug', logs) });
  admin = await connectAdmin();
  A = await newWorkspace(t);
  B = await newWorkspace(t);
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const unique = () => randomBytes(6).toString('hex');
const url = (w: TestWorkspace, id?: string) =>
  `/api/v1/workspaces/${w.id}/contacts${id === undefined ? '' : `/${id}`}`;

async function create(w: TestWorkspace, email: string, name = `Name ${unique()}`) {
  const res = await call(t, 'POST', url(w), {
    token: w.ownerToken,
    payload: { name, email, company: `Co ${unique()}`, notes: `notes ${unique()}` },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string; name: string; email: string }>();
}

interface Stored {
  name: Buffer;
  email: Buffer;
  company: Buffer | null;
  email_index: Buffer;
  version: number;
}
async function stored(id: string): Promise<Stored> {
  const { rows } = await admin.client.query<Stored>(
    'select name, email, company, email_index, version from wardroom.contacts where id = $1',
    [id],
  );
  if (rows[0] === undefined) throw new Error(`no contact ${id}`);
  return rows[0];
}
async function edit(sql: string, params: unknown[]): Promise<void> {
  expect((await admin.client.query(sql, params)).rowCount).toBe(1);
}

describe("another workspace's contact", () => {
  it('answers 404 for every route and changes nothing', async () => {
    const victim = await create(B, `victim-${unique()}@example.test`);
    const before = [await admin.snapshot(A.id), await admin.snapshot(B.id)];
    for (const [method, payload] of [
      ['GET', undefined],
      ['PATCH', { name: 'stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await call(t, method, url(A, victim.id), {
        token: A.ownerToken,
        ...(payload === undefined ? {} : { payload }),
      });
      expectError(res, 404, 'not_found', method);
      expect(res.body).not.toContain(victim.email);
    }
    // B's address searched from A finds nothing: the index is per workspace.
    const search = await call(t, 'GET', `${url(A)}?email=${victim.email}`, { token: A.ownerToken });
    expect(search.json()).toEqual({ items: [], next_cursor: null });
    expect([await admin.snapshot(A.id), await admin.snapshot(B.id)]).toEqual(before);
  });
});

describe('sealed fields', () => {
  it('are ciphertext in the database', async () => {
    const email = `sealed-${unique()}@example.test`;
    const made = await create(A, email, `Secret Name ${unique()}`);
    const row = await stored(made.id);
    expect(row.email.toString('latin1')).not.toContain(email);
    expect(row.name.toString('latin1')).not.toContain(made.name);
  });

  it('fail to open when moved to another contact or column, and open when put back', async () => {
    const source = await create(A, `source-${unique()}@example.test`);
    const target = await create(A, `target-${unique()}@example.test`);
    const original = await stored(target.id);
    await edit('update wardroom.contacts set email = $1 where id = $2', [
      (await stored(source.id)).email,
      target.id,
    ]);
    const moved = await call(t, 'GET', url(A, target.id), { token: A.ownerToken });
    expectError(moved, 500, 'decryption_failed');
    expect(moved.body).not.toContain(source.email);
    // The same contact's name envelope in its email column: bound to the column too.
    await edit('update wardroom.contacts set email = $1 where id = $2', [original.name, target.id]);
    expectError(
      await call(t, 'GET', url(A, target.id), { token: A.ownerToken }),
      500,
      'decryption_failed',
    );
    await edit('update wardroom.contacts set email = $1 where id = $2', [
      original.email,
      target.id,
    ]);
    expect((await call(t, 'GET', url(A, target.id), { token: A.ownerToken })).statusCode).toBe(200);
  });

  it('fail to open when an older version is written back after an edit', async () => {
    const made = await create(A, `old-${unique()}@example.test`);
    const old = await stored(made.id);
    const res = await call(t, 'PATCH', url(A, made.id), {
      token: A.ownerToken,
      payload: { name: 'New name' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await stored(made.id)).version).toBe(2);
    await edit('update wardroom.contacts set email = $1 where id = $2', [old.email, made.id]);
    expectError(
      await call(t, 'GET', url(A, made.id), { token: A.ownerToken }),
      500,
      'decryption_failed',
    );
  });
});

describe('the blind index', () => {
  it('is keyed: not a plain or salted-free hash of the address, and different per workspace', async () => {
    const email = `Index.${unique()}@Example.test`;
    const inA = await create(A, email);
    const inB = await create(B, email);
    const a = (await stored(inA.id)).email_index;
    const b = (await stored(inB.id)).email_index;
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    for (const form of [email, normaliseEmail(email), email.toLowerCase()]) {
      expect(a.equals(createHash('sha256').update(form).digest())).toBe(false);
      expect(b.equals(createHash('sha256').update(form).digest())).toBe(false);
      expect(a.equals(createHmac('sha256', Buffer.alloc(32)).update(form).digest())).toBe(false);
    }
  });

  it('normalises: NFC, case and white space hash alike; dots and tags are not folded', async () => {
    // The API accepts what z.email() accepts (ASCII); normalisation covers what it may pass.
    expect(normaliseEmail(' Jose\u0301@Example.TEST ')).toBe(
      normaliseEmail('jos\u00e9@example.test'),
    );
    expect(normaliseEmail('a.b+tag@gmail.com')).toBe('a.b+tag@gmail.com');
    const w = await newWorkspace(t);
    const dotted = await create(w, `first.last.${unique()}@gmail.com`);
    const undotted = dotted.email.replace('first.last', 'firstlast');
    const none = await call(t, 'GET', `${url(w)}?email=${undotted}`, { token: w.ownerToken });
    expect(none.json<{ items: unknown[] }>().items).toHaveLength(0);
    const cased = await call(t, 'GET', `${url(w)}?email=${dotted.email.toUpperCase()}`, {
      token: w.ownerToken,
    });
    expect(cased.json<{ items: unknown[] }>().items).toHaveLength(1);
  });
});

describe('no address in clear', () => {
  it('in any table, the audit log, a dump of the database, or the logs', async () => {
    const email = `plain-${unique()}@example.test`;
    const made = await create(A, email);
    const found = await call(t, 'GET', `${url(A)}?limit=5&email=${email}`, { token: A.ownerToken });
    expect(found.json<{ items: unknown[] }>().items).toHaveLength(1);
    await call(t, 'PATCH', url(A, made.id), { token: A.ownerToken, payload: { notes: 'x' } });
    await call(t, 'POST', '/api/v1/privacy/optout', { payload: { email } });
    const code = await t.optOut.mail.nextCode(email);
    const confirmed = await call(t, 'POST', '/api/v1/privacy/optout/confirm', {
      payload: { email, code },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    const local = email.split('@')[0]!;
    const stdout = await dumpRows(inject('adminUrl'));
    expect(stdout.length).toBeGreaterThan(1000);
    expect(stdout).not.toContain(local);
    const { rows } = await admin.client.query<{ n: string }>(
      `select count(*) as n from wardroom.audit_log where row_to_json(audit_log)::text like $1`,
      [`%${local}%`],
    );
    expect(rows[0]?.n).toBe('0');
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(logs.lines.join('\n')).not.toContain(local);
  });
});

/**
 * Bad input gets a clear `{error: {code, message}}` with a correlation id and
 * changes nothing; a 5xx never carries internals and leaves no partial write.
 * Failures that need a broken database run against a private database made
 * for this file, so no other suite sees the sabotage.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../src/modules/tenancy/token-format.js';
import { quoteIdent } from '../../src/db/roles.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  bearer as bearerOf,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  call,
  expectError,
  seedContent,
  type Method,
  type SeededContent,
} from '../support/http.js';

let t: TestApp;
let admin: Admin;
let ws: TestWorkspace;
let seeded: SeededContent;
const masterKey = randomBytes(32);

beforeAll(async () => {
  t = await startTestApp({ masterKey });
  admin = await connectAdmin();
  ws = await newWorkspace(t);
  seeded = await seedContent(t, ws, 'bad-input');
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

interface Case {
  readonly name: string;
  readonly method: Method;
  readonly path: () => string;
  readonly payload?: object | string;
  readonly contentType?: string;
  readonly status: number;
  readonly code: string;
}

const base = () => `/api/v1/workspaces/${ws.id}`;
const workrooms = () => `${base()}/workrooms`;
const conversations = () => `${base()}/workrooms/${seeded.workroomId}/conversations`;
const messages = () => `${base()}/conversations/${seeded.conversationId}/messages`;
const members = () => `${base()}/members`;
const member = () => `${base()}/members/${ws.ownerUserId}`;
const cursor = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const json = 'application/json';

function post(name: string, path: () => string, payload: object | string, code: string): Case {
  return { name, method: 'POST', path, payload, status: 400, code };
}
function raw(name: string, payload: string, contentType: string, code: string, status = 400): Case {
  return { name, method: 'POST', path: workrooms, payload, contentType, status, code };
}
function get(name: string, path: () => string, code = 'validation_failed'): Case {
  return { name, method: 'GET', path, status: 400, code };
}

const V = 'validation_failed';
const cases: Case[] = [
  raw('truncated JSON', '{"name":', json, 'invalid_json'),
  raw('unquoted keys', '{name: "x"}', json, 'invalid_json'),
  raw('single quotes', "{'name': 'x'}", json, 'invalid_json'),
  raw('empty JSON body', '', json, 'invalid_json'),
  raw('prototype pollution', '{"name":"x","__proto__":{"admin":true}}', json, 'invalid_json'),
  raw('JSON null', 'null', json, V),
  raw('text/plain body', 'name=x', 'text/plain', 'unsupported_media_type', 415),
  raw('XML body', '<name>x</name>', 'application/xml', 'unsupported_media_type', 415),
  raw('form body', 'name=x', 'application/x-www-form-urlencoded', 'unsupported_media_type', 415),
  post('unknown field', workrooms, { name: 'x', tenant_id: randomUUID() }, V),
  post('name is a number', workrooms, { name: 123 }, V),
  post('name is null', workrooms, { name: null }, V),
  post('name is an array', workrooms, { name: ['x'] }, V),
  post('body is an array', workrooms, [{ name: 'x' }], V),
  post('empty name', workrooms, { name: '' }, V),
  post('blank name', workrooms, { name: '   ' }, V),
  post('name of 201 characters', workrooms, { name: 'n'.repeat(201) }, V),
  post('NUL in a name', workrooms, { name: 'a\u0000b' }, V),
  post('title is a number', conversations, { title: 5 }, V),
  post('empty title', conversations, { title: '' }, V),
  post('empty message', messages, { content: '' }, V),
  post('message over 100000 characters', messages, { content: 'm'.repeat(100_001) }, V),
  post('content is an object', messages, { content: { text: 'x' } }, V),
  post('not an email', members, { email: 'not-an-email' }, V),
  post('unknown role', members, { email: 'x@example.test', role: 'superuser' }, V),
  post('NUL in a display name', members, { email: 'nul@example.test', display_name: 'a\u0000' }, V),
  post(
    'display name of 201',
    members,
    { email: 'y@example.test', display_name: 'd'.repeat(201) },
    V,
  ),
  { name: 'empty change', method: 'PATCH', path: member, payload: {}, status: 400, code: V },
  {
    name: 'unknown named role',
    method: 'PATCH',
    path: member,
    payload: { named_roles: ['ceo'] },
    status: 400,
    code: V,
  },
  {
    name: 'three named roles',
    method: 'PATCH',
    path: member,
    payload: { named_roles: ['founder', 'finance_lead', 'founder'] },
    status: 400,
    code: V,
  },
  {
    name: 'bad user id',
    method: 'DELETE',
    path: () => `${base()}/members/42`,
    status: 400,
    code: V,
  },
  get('bad workspace id', () => '/api/v1/workspaces/not-a-uuid/workrooms'),
  get('bad workroom id', () => `${workrooms()}/123`),
  get('bad conversation id', () => `${base()}/conversations/zzz/messages`),
  get('limit 0', () => `${workrooms()}?limit=0`),
  get('limit 201', () => `${workrooms()}?limit=201`),
  get('limit not a number', () => `${workrooms()}?limit=abc`),
  get('fractional limit', () => `${workrooms()}?limit=1.5`),
  get('repeated limit', () => `${workrooms()}?limit=1&limit=2`),
  get('unknown query parameter', () => `${workrooms()}?tenant_id=${randomUUID()}`),
  get('empty cursor', () => `${workrooms()}?cursor=`),
  get('overlong cursor', () => `${workrooms()}?cursor=${'c'.repeat(201)}`),
  get('garbage cursor', () => `${workrooms()}?cursor=zzzz`, 'invalid_cursor'),
  get('cursor without a uuid', () => `${messages()}?cursor=${cursor('v1:abc')}`, 'invalid_cursor'),
  get(
    'cursor of another version',
    () => `${messages()}?cursor=${cursor(`v2:${randomUUID()}`)}`,
    'invalid_cursor',
  ),
];

describe('bad input', () => {
  it.each(cases)('$name → $status $code, and nothing written', async (c) => {
    const before = await admin.snapshot(ws.id);
    const res = await call(t, c.method, c.path(), {
      token: ws.ownerToken,
      ...(c.payload === undefined ? {} : { payload: c.payload }),
      ...(c.contentType === undefined ? {} : { headers: { 'content-type': c.contentType } }),
    });
    expectError(res, c.status, c.code, c.name);
    expect(await admin.snapshot(ws.id)).toEqual(before);
  });

  it('accepts a name of exactly 200 characters (the boundary is where the error says)', async () => {
    const res = await call(t, 'POST', workrooms(), {
      token: ws.ownerToken,
      payload: { name: 'n'.repeat(200) },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'n'.repeat(200) });
  });

  it('answers 413 payload_too_large over the body limit, and writes nothing', async () => {
    const small = await startTestApp({ bodyLimit: 2048, masterKey });
    try {
      const before = await admin.snapshot(ws.id);
      const big = await call(small, 'POST', messages(), {
        token: ws.ownerToken,
        payload: { content: 'x'.repeat(3000) },
      });
      expectError(big, 413, 'payload_too_large');
      const bigName = await call(small, 'POST', workrooms(), {
        token: ws.ownerToken,
        payload: { name: 'x'.repeat(4000) },
      });
      expectError(bigName, 413, 'payload_too_large');
      expect(await admin.snapshot(ws.id)).toEqual(before);
      const fits = await call(small, 'POST', messages(), {
        token: ws.ownerToken,
        payload: { content: 'x'.repeat(1500) },
      });
      expect(fits.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });
});

describe('server failures', () => {
  let db: TestDatabase;
  let broken: TestApp;
  let brokenAdmin: Admin;
  const secret = `internal-detail-${randomBytes(6).toString('hex')}`;
  /** Things a 5xx body must never carry. */
  const internals = () => [
    secret,
    'P0001',
    '42501',
    'permission denied',
    'wardroom.',
    'memberships',
    'workspace_keys',
    'ECONNREFUSED',
    '127.0.0.1',
    db.roles.app,
    ' at ',
  ];

  beforeAll(async () => {
    db = await createTestDatabase(inject('clusterUrl'));
    broken = await startTestApp({ appUrl: db.appUrl });
    brokenAdmin = await connectAdmin(db.adminUrl);
  });
  afterAll(async () => {
    await brokenAdmin.close();
    await broken.close();
    await dropTestDatabase(inject('clusterUrl'), db);
  });

  function expectOpaque500(res: Awaited<ReturnType<typeof call>>, code: string): void {
    const body = expectError(res, code === 'database_unavailable' ? 503 : 500, code);
    expect(body.error.message).toMatch(/^(Internal error|Service temporarily unavailable)$/);
    for (const leak of internals()) expect(res.body).not.toContain(leak);
  }

  it('a database error mid-request answers an opaque 500 and rolls back the earlier write', async () => {
    const w = await newWorkspace(broken);
    await brokenAdmin.client.query(`
      create function public.explode() returns trigger language plpgsql as $$
      begin raise exception '${secret} in %', tg_table_name; end $$;
      create trigger explode before insert on wardroom.memberships
        for each row when (new.role = 'viewer') execute function public.explode();`);
    const before = await brokenAdmin.snapshot(w.id);
    const email = `victim-${randomBytes(6).toString('hex')}@example.test`;
    const res = await call(broken, 'POST', `/api/v1/workspaces/${w.id}/members`, {
      token: w.ownerToken,
      payload: { email, role: 'viewer', display_name: 'Victim' },
    });
    expectOpaque500(res, 'internal');
    // ensure_user() inserted the user before the membership failed: rolled back with it.
    expect(await brokenAdmin.userExists(email)).toBe(false);
    expect(await brokenAdmin.snapshot(w.id)).toEqual(before);
  });

  it('a permission error answers an opaque 500', async () => {
    const w = await newWorkspace(broken);
    const app = quoteIdent(db.roles.app);
    await brokenAdmin.client.query(`revoke insert on wardroom.workrooms from ${app}`);
    try {
      const res = await call(broken, 'POST', `/api/v1/workspaces/${w.id}/workrooms`, {
        token: w.ownerToken,
        payload: { name: 'x' },
      });
      expectOpaque500(res, 'internal');
    } finally {
      await brokenAdmin.client.query(`grant insert on wardroom.workrooms to ${app}`);
    }
    expect((await brokenAdmin.counts(w.id)).workrooms).toBe(0);
  });

  it('a missing data key answers an opaque 500 and stores no message', async () => {
    const w = await newWorkspace(broken);
    const { conversationId } = await seedContent(broken, w, 'keyless');
    broken.keyring.forget(w.id);
    await brokenAdmin.client.query('delete from wardroom.workspace_keys where tenant_id = $1', [
      w.id,
    ]);
    const before = await brokenAdmin.snapshot(w.id);
    const url = `/api/v1/workspaces/${w.id}/conversations/${conversationId}/messages`;
    expectOpaque500(
      await call(broken, 'POST', url, { token: w.ownerToken, payload: { content: 'hi' } }),
      'key_unavailable',
    );
    expect(await brokenAdmin.snapshot(w.id)).toEqual(before);
  });

  it('a tampered ciphertext answers an opaque 500 without plaintext or ciphertext', async () => {
    const w = await newWorkspace(broken);
    const { conversationId, messageId } = await seedContent(broken, w, secret);
    await brokenAdmin.client.query(
      `update wardroom.messages set content = set_byte(content, length(content) - 1,
         get_byte(content, length(content) - 1) # 1) where tenant_id = $1 and id = $2`,
      [w.id, messageId],
    );
    const url = `/api/v1/workspaces/${w.id}/conversations/${conversationId}/messages`;
    const res = await call(broken, 'GET', url, { token: w.ownerToken });
    expectOpaque500(res, 'decryption_failed');
    expect(res.body).not.toContain(messageId);
  });

  it('an unreachable database answers 503 database_unavailable without details', async () => {
    const down = await startTestApp({ appUrl: 'postgres://nobody:nothing@127.0.0.1:1/nowhere' });
    try {
      const tenant = randomUUID();
      const token = mintToken(tenant, randomUUID()).token;
      const res = await call(down, 'GET', `/api/v1/workspaces/${tenant}/workrooms`, { token });
      expectOpaque500(res, 'database_unavailable');
    } finally {
      await down.close();
    }
  });
});

describe('framework errors', () => {
  /** Asserts the error shape and that the body does not echo `echo` (a path, a header). */
  async function expectFramework(
    req: { method: string; url: string; headers?: Record<string, string>; payload?: string },
    status: number,
    code: string,
    echo: string,
  ) {
    const before = await admin.snapshot(ws.id);
    const res = await t.app.inject({
      method: req.method as Method,
      url: req.url,
      headers: { ...bearerOf(ws.ownerToken), ...req.headers },
      ...(req.payload === undefined ? {} : { payload: req.payload }),
    });
    const body = expectError(res, status, code, `${req.method} ${req.url.slice(0, 80)}`);
    expect(res.body).not.toContain(echo);
    expect(await admin.snapshot(ws.id)).toEqual(before);
    return { res, body };
  }

  it('answers 414 uri_too_long for an over-long path parameter, without echoing it', async () => {
    const long = `x${'a'.repeat(500)}`;
    await expectFramework(
      { method: 'GET', url: `${workrooms()}/${long}` },
      414,
      'uri_too_long',
      long,
    );
    await expectFramework(
      { method: 'GET', url: `/api/v1/workspaces/${long}/workrooms` },
      414,
      'uri_too_long',
      long,
    );
  });

  it('answers 414 uri_too_long for an over-long URL', async () => {
    const long = `q${'b'.repeat(9000)}`;
    await expectFramework(
      { method: 'GET', url: `${workrooms()}?cursor=${long}` },
      414,
      'uri_too_long',
      long,
    );
  });

  it('answers 400 bad_request for malformed percent-encoding, without echoing the path', async () => {
    for (const url of ['/api/v1/workspaces/%C3%28/workrooms', `${workrooms()}/%E0%A4%A`]) {
      const { body } = await expectFramework({ method: 'GET', url }, 400, 'bad_request', '%C3');
      expect(body.error.message).toMatch(/percent-encoding/);
      expect(body.error.message).not.toContain('%');
    }
  });

  it('answers 405 method_not_allowed with Allow on a known path', async () => {
    const { res } = await expectFramework(
      {
        method: 'PUT',
        url: workrooms(),
        headers: { 'content-type': 'application/json' },
        payload: '{}',
      },
      405,
      'method_not_allowed',
      ws.id,
    );
    expect(res.headers['allow']).toBe('GET, POST');
    const del = await expectFramework(
      { method: 'DELETE', url: '/healthz' },
      405,
      'method_not_allowed',
      'healthz',
    );
    expect(del.res.headers['allow']).toBe('GET');
  });

  it('answers 404 not_found on an unknown path, without echoing it', async () => {
    await expectFramework(
      { method: 'GET', url: '/api/v1/no-such-thing-here' },
      404,
      'not_found',
      'no-such',
    );
  });

  it('answers 415 naming the accepted type, without echoing the sent one', async () => {
    const { body } = await expectFramework(
      {
        method: 'POST',
        url: workrooms(),
        headers: { 'content-type': 'application/x-secret-type' },
        payload: 'x',
      },
      415,
      'unsupported_media_type',
      'x-secret-type',
    );
    expect(body.error.message).toContain('application/json');
  });
});

/**
 * A shredded workspace is gone on every route: every registered route that
 * takes a token (iterated from the server itself, so a new route cannot be
 * forgotten) answers 410 workspace_shredded with the error shape, for the
 * owner and for a viewer alike, and changes nothing; another workspace
 * works as before. Each route gets a body that passes its validation
 * (BODIES), so the 410 is the workspace's, not the input's.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberToken, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { call, expectError, seedContent, type Method } from '../support/http.js';
import { connectSuperuser, principal } from '../support/keys.js';

/** A body each route accepts (validation runs before the handler). */
const BODIES: Record<string, object> = {
  'POST /api/v1/workspaces/:ws/members': { email: 'late@example.test', role: 'viewer' },
  'PATCH /api/v1/workspaces/:ws/members/:userId': { role: 'member' },
  'POST /api/v1/workspaces/:ws/workrooms': { name: 'after the shred' },
  'POST /api/v1/workspaces/:ws/workrooms/:id/conversations': { title: 'after the shred' },
  'POST /api/v1/workspaces/:ws/conversations/:id/messages': { content: 'after the shred' },
  'POST /api/v1/workspaces/:ws/credentials': {
    kind: 'webhook_api_key',
    provider: 'custom',
    label: 'after the shred',
    secret: { value: 'abcdefabcdefabcdef' },
  },
  'PUT /api/v1/workspaces/:ws/credentials/:id': { secret: { value: 'abcdefabcdefabcdef' } },
  'POST /api/v1/workspaces/:ws/shred': { confirm: 'any name' },
  'POST /api/v1/workspaces/:ws/tokens': { name: 'after the shred', expires_in_days: 7 },
  'POST /api/v1/workspaces/:ws/sso/connections': {
    kind: 'oidc',
    name: 'after the shred',
    issuer: 'https://idp.example.test',
    client_id: 'wardroom',
    client_secret: 'after the shred',
    allowed_domains: ['example.test'],
  },
  'PATCH /api/v1/workspaces/:ws/sso/connections/:id': { enabled: false },
  'PUT /api/v1/workspaces/:ws/sso/policy': { require_sso: false },
  'PUT /api/v1/workspaces/:ws/llm/cache': { enabled: true },
  'PUT /api/v1/workspaces/:ws/billing/purge': { enabled: false },
  'POST /api/v1/workspaces/:ws/agents': {
    name: 'after the shred',
    provider: 'openai',
    model: 'gpt-4o-mini',
  },
  'PATCH /api/v1/workspaces/:ws/agents/:id': { archived: true },
  'POST /api/v1/workspaces/:ws/llm/budgets': {
    scope: 'workspace',
    period: 'day',
    hard_limit_micros: 1,
  },
  'PATCH /api/v1/workspaces/:ws/llm/budgets/:id': { hard_limit_micros: 2 },
  'PUT /api/v1/workspaces/:ws/llm/limits': { requests_per_minute: null, tokens_per_minute: null },
  'POST /api/v1/workspaces/:ws/contacts': { name: 'After', email: 'after-the-shred@example.test' },
  'PATCH /api/v1/workspaces/:ws/contacts/:id': { notes: 'after the shred' },
  'POST /api/v1/workspaces/:ws/privacy/requests': {
    type: 'access',
    subject: { email: 'after-the-shred@example.test' },
  },
  'POST /api/v1/workspaces/:ws/privacy/requests/:id/transitions': { to: 'cancelled' },
  'POST /api/v1/workspaces/:ws/privacy/requests/:id/extension': { reason: 'after the shred' },
  'POST /api/v1/workspaces/:ws/privacy/requests/:id/deletion': {
    confirm: 'after-the-shred@example.test',
  },
  'PUT /api/v1/workspaces/:ws/privacy/residency': { region: 'us' },
  'POST /api/v1/workspaces/:ws/privacy/exports': { form: 'readable' },
};

let t: TestApp;
let admin: pg.Client;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectSuperuser();
});
afterAll(async () => {
  await admin.end();
  await t.close();
});

/** Shreds `ws` through the API, confirming with its name as the database holds it. */
async function shredIt(ws: { id: string; ownerToken: string }) {
  const { rows } = await admin.query<{ name: string }>(
    'select name from wardroom.workspaces where tenant_id = $1',
    [ws.id],
  );
  return call(t, 'POST', `/api/v1/workspaces/${ws.id}/shred`, {
    token: ws.ownerToken,
    payload: { confirm: rows[0]!.name },
  });
}

/** Rows of the workspace in its tables, as one comparable snapshot. */
async function snapshot(tenantId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['workrooms', 'conversations', 'messages', 'memberships', 'api_tokens']) {
    const { rows } = await admin.query<{ n: string }>(
      `select count(*) as n from wardroom.${table} where tenant_id = $1`,
      [tenantId],
    );
    counts[table] = Number(rows[0]!.n);
  }
  const audit = await admin.query<{ n: string }>(
    'select count(*) as n from wardroom.audit_log where tenant_id = $1',
    [tenantId],
  );
  counts['audit_log'] = Number(audit.rows[0]!.n);
  return counts;
}

describe('a shredded workspace', () => {
  it('answers 410 workspace_shredded on every route that takes a token, and changes nothing', async () => {
    const ws = await newWorkspace(t);
    const viewer = await memberToken(t, ws, 'viewer');
    const bystander = await newWorkspace(t);
    const seeded = await seedContent(t, ws, 'xyzzy-victim');
    const bySeeded = await seedContent(t, bystander, 'kept');
    const shred = await shredIt(ws);
    expect(shred.statusCode, shred.body).toBe(200);
    const before = await snapshot(ws.id);

    // Every route but the public ones (health, audit key, the OpenAPI document) and the
    // session routes (/me, /auth, /workspaces), which take no token and name no workspace.
    const routes = t.app.declaredRoutes.filter(
      (r) => r.access.kind !== 'public' && r.access.kind !== 'session',
    );
    expect(routes.length).toBeGreaterThanOrEqual(18);
    const ids: Record<string, string> = {
      userId: viewer.userId,
      id: seeded.workroomId,
    };
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      let url = route.url.replace(':ws', ws.id);
      for (const [name, value] of Object.entries(ids)) url = url.replace(`:${name}`, value);
      url = url.replace(/:[A-Za-z]+/g, () => randomUUID());
      for (const token of [ws.ownerToken, viewer.token]) {
        const res = await call(t, route.method as Method, url, {
          token,
          ...(BODIES[key] === undefined ? {} : { payload: BODIES[key] }),
        });
        const body = expectError(res, 410, 'workspace_shredded', key);
        expect(body.error.message, key).toMatch(/shredded/);
        expect(res.body, key).not.toContain('xyzzy');
      }
    }
    // A conversation route too, with the conversation's own id.
    expectError(
      await call(
        t,
        'GET',
        `/api/v1/workspaces/${ws.id}/conversations/${seeded.conversationId}/messages`,
        {
          token: ws.ownerToken,
        },
      ),
      410,
      'workspace_shredded',
    );
    expect(await snapshot(ws.id)).toEqual(before);

    // Another workspace is untouched.
    const list = await call(
      t,
      'GET',
      `/api/v1/workspaces/${bystander.id}/conversations/${bySeeded.conversationId}/messages`,
      { token: bystander.ownerToken },
    );
    expect(list.json()).toMatchObject({ items: [{ content: 'kept message' }] });
  });

  it('still answers 401 to a bad token and 404 to another workspace, before anything else', async () => {
    const ws = await newWorkspace(t);
    const other = await newWorkspace(t);
    await shredIt(ws);
    const forged = `${ws.ownerToken.slice(0, -4)}AAAA`;
    expectError(
      await call(t, 'GET', `/api/v1/workspaces/${ws.id}/workrooms`, { token: forged }),
      401,
      'unauthenticated',
    );
    expectError(
      await call(t, 'GET', `/api/v1/workspaces/${other.id}/workrooms`, { token: ws.ownerToken }),
      404,
      'not_found',
    );
  });

  it('cannot be un-shredded: clearing shredded_at fails as the app role, and as superuser in replica mode', async () => {
    const ws = await newWorkspace(t);
    await shredIt(ws);
    await expect(
      t.db.withTenant(principal(ws.id), (tx) =>
        sql`update workspaces set shredded_at = null`.execute(tx),
      ),
    ).rejects.toThrow(/cannot be undone/);
    await admin.query('begin');
    try {
      await admin.query("set local session_replication_role = 'replica'");
      await expect(
        admin.query('update wardroom.workspaces set shredded_at = now() where tenant_id = $1', [
          ws.id,
        ]),
      ).rejects.toThrow(/cannot be undone/);
    } finally {
      await admin.query('rollback');
    }
    expectError(
      await call(t, 'GET', `/api/v1/workspaces/${ws.id}/workrooms`, { token: ws.ownerToken }),
      410,
      'workspace_shredded',
    );
  });

  it('documents 410 in the OpenAPI responses of every workspace route', async () => {
    const ws = await newWorkspace(t);
    const res = await call(t, 'GET', '/api/v1/openapi.json', { token: ws.ownerToken });
    const doc = res.json<{ paths: Record<string, Record<string, { responses: object }>> }>();
    const ops = Object.entries(doc.paths).filter(([p]) => p.includes('{ws}'));
    expect(ops.length).toBeGreaterThan(5);
    for (const [path, methods] of ops) {
      for (const [method, op] of Object.entries(methods)) {
        expect(Object.keys(op.responses), `${method} ${path}`).toContain('410');
      }
    }
  });
});

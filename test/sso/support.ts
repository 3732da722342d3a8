/**
 * What the SSO tests share: an app, an admin view of the database, making
 * connections through the admin routes, and counting what a sign-in left
 * behind (sessions, memberships), so each refusal can be shown to change
 * nothing.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Admin } from '../support/admin.js';
import { bearer, type TestApp, type TestWorkspace } from '../support/app.js';

export const CALLBACK = 'http://localhost/api/v1/auth/sso/oidc/callback';

export const fresh = (domain: string) => `person-${randomBytes(5).toString('hex')}@${domain}`;

export async function addConnection(
  t: TestApp,
  ws: TestWorkspace,
  body: Record<string, unknown>,
): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/sso/connections`,
    headers: bearer(ws.ownerToken),
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export async function invite(t: TestApp, ws: TestWorkspace, email: string, role = 'member') {
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/members`,
    headers: bearer(ws.ownerToken),
    payload: { email, role },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ user_id: string }>().user_id;
}

/** Sessions in the whole database and memberships of `ws`: what a refusal must not add to. */
export async function footprint(admin: Admin, workspaceId: string) {
  const { rows } = await admin.client.query<{ sessions: string; members: string; users: string }>(
    `select (select count(*) from wardroom.sessions) as sessions,
            (select count(*) from wardroom.memberships where tenant_id = $1) as members,
            (select count(*) from wardroom.users) as users`,
    [workspaceId],
  );
  return rows[0];
}

/** The `name=value` pairs of a response's Set-Cookie headers, by name. */
export function cookies(header: string | string[] | undefined): Map<string, string> {
  const all = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const jar = new Map<string, string>();
  for (const c of all) {
    const [pair] = c.split(';');
    const eq = (pair ?? '').indexOf('=');
    if (eq > 0) jar.set((pair ?? '').slice(0, eq), (pair ?? '').slice(eq + 1));
  }
  return jar;
}

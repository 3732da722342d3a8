/**
 * Deleting a person clears the browser (user agent) recorded with each of
 * their sessions, live or already ended (migration 031), and nobody else's.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { pseudonymiseUser } from '../../src/modules/privacy/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { bearer, newWorkspace, startTestApp, type TestApp } from '../support/app.js';
import { signIn } from '../support/sign-in.js';

let t: TestApp;
let admin: Admin;
beforeAll(async () => {
  t = await startTestApp();
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

const sessions = async (userId: string) =>
  (
    await admin.client.query<{ user_agent: string | null; revoked: boolean }>(
      `select user_agent, revoked_at is not null as revoked from wardroom.sessions
        where user_id = $1 order by created_at`,
      [userId],
    )
  ).rows;

describe('deleting a person', () => {
  it("clears every one of their sessions' user agent, and nobody else's", async () => {
    const ws = await newWorkspace(t);
    const emails = ['leaver', 'stayer'].map(
      (n) => `${n}-${randomBytes(5).toString('hex')}@example.test`,
    );
    for (const email of emails) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/workspaces/${ws.id}/members`,
        headers: bearer(ws.ownerToken),
        payload: { email, role: 'member' },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const ended = await signIn(t, emails[0]!);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      headers: ended.write,
    });
    expect(out.statusCode, out.body).toBeLessThan(300);
    const live = await signIn(t, emails[0]!);
    const other = await signIn(t, emails[1]!);
    expect(await sessions(live.userId)).toEqual([
      { user_agent: 'lightMyRequest', revoked: true },
      { user_agent: 'lightMyRequest', revoked: false },
    ]);

    const done = await pseudonymiseUser(
      { db: t.db, keyring: t.keyring },
      live.userId,
      (id) => systemPrincipal(id, 'privacy: deletion request'),
      'deletion_request',
    );
    // Only the live session is counted as revoked now.
    expect(done?.revokedSessions).toBe(1);
    expect(await sessions(live.userId)).toEqual([
      { user_agent: null, revoked: true },
      { user_agent: null, revoked: true },
    ]);
    expect(await sessions(other.userId)).toEqual([
      { user_agent: 'lightMyRequest', revoked: false },
    ]);
  });
});

/**
 * Workspace members over HTTP: list, invite, change role and named roles,
 * remove; only owners make or unmake owners; the last owner stays, also when
 * two owners demote or remove each other at the same moment; lower roles are
 * refused; removing a member ends their tokens.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectAdmin, type Admin } from '../support/admin.js';
import {
  memberToken,
  newWorkspace,
  startTestApp,
  type TestApp,
  type TestWorkspace,
} from '../support/app.js';
import { call, errorBody, expectError } from '../support/http.js';

const memberView = z.strictObject({
  user_id: z.uuid(),
  email: z.string(),
  display_name: z.string(),
  role: z.enum(['owner', 'admin', 'member', 'viewer']),
  named_roles: z.array(z.enum(['founder', 'finance_lead'])),
  created_at: z.iso.datetime(),
});
const memberList = z.strictObject({ items: z.array(memberView) });
/** An invitation's answer: the member, and whether the email went out (none here: no mailer). */
const invitedView = memberView.extend({
  invitation_email: z.strictObject({
    sent: z.literal(false),
    error_code: z.literal('mail_unavailable'),
  }),
});

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

const email = (label: string) => `${label}-${randomBytes(6).toString('hex')}@example.test`;
const url = (ws: TestWorkspace, userId?: string) =>
  `/api/v1/workspaces/${ws.id}/members${userId === undefined ? '' : `/${userId}`}`;

async function list(ws: TestWorkspace) {
  const res = await call(t, 'GET', url(ws), { token: ws.ownerToken });
  expect(res.statusCode, res.body).toBe(200);
  return memberList.parse(res.json()).items;
}

async function ownerCount(ws: TestWorkspace): Promise<number> {
  const { rows } = await admin.client.query<{ n: number }>(
    "select count(*)::int as n from wardroom.memberships where tenant_id = $1 and role = 'owner'",
    [ws.id],
  );
  return rows[0]!.n;
}

describe('members', () => {
  it('lists members for the owner', async () => {
    const ws = await newWorkspace(t);
    const viewer = await memberToken(t, ws, 'viewer');
    const items = await list(ws);
    expect(items.map((m) => [m.user_id, m.role])).toEqual([
      [ws.ownerUserId, 'owner'],
      [viewer.userId, 'viewer'],
    ]);
  });

  it('lets an admin invite by email once; a second invite is 409 conflict', async () => {
    const ws = await newWorkspace(t);
    const adm = await memberToken(t, ws, 'admin');
    const address = email('invitee');
    const res = await call(t, 'POST', url(ws), {
      token: adm.token,
      payload: { email: address, role: 'member', display_name: 'Ines' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const invited = invitedView.parse(res.json());
    expect(invited).toMatchObject({ email: address, role: 'member', display_name: 'Ines' });

    const before = await admin.snapshot(ws.id);
    for (const again of [address, address.toUpperCase()]) {
      const dup = await call(t, 'POST', url(ws), { token: adm.token, payload: { email: again } });
      expectError(dup, 409, 'conflict', again);
    }
    expect(await admin.snapshot(ws.id)).toEqual(before);
    expect((await list(ws)).map((m) => m.user_id)).toContain(invited.user_id);
  });

  it('answers exactly one 201 when the same email is invited twice at once', async () => {
    const ws = await newWorkspace(t);
    const address = email('racer');
    const results = await Promise.all(
      [0, 1].map(() =>
        call(t, 'POST', url(ws), { token: ws.ownerToken, payload: { email: address } }),
      ),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect((await admin.counts(ws.id)).memberships).toBe(2);
  });

  it('lets only an owner grant the owner role', async () => {
    const ws = await newWorkspace(t);
    const adm = await memberToken(t, ws, 'admin');
    const target = await memberToken(t, ws, 'member');
    const before = await admin.snapshot(ws.id);
    const asAdmin = [
      await call(t, 'POST', url(ws), {
        token: adm.token,
        payload: { email: email('o'), role: 'owner' },
      }),
      await call(t, 'PATCH', url(ws, target.userId), {
        token: adm.token,
        payload: { role: 'owner' },
      }),
      await call(t, 'PATCH', url(ws, adm.userId), { token: adm.token, payload: { role: 'owner' } }),
      await call(t, 'PATCH', url(ws, ws.ownerUserId), {
        token: adm.token,
        payload: { role: 'admin' },
      }),
      await call(t, 'DELETE', url(ws, ws.ownerUserId), { token: adm.token }),
    ];
    for (const res of asAdmin) expectError(res, 403, 'forbidden');
    expect(await admin.snapshot(ws.id)).toEqual(before);

    const invited = await call(t, 'POST', url(ws), {
      token: ws.ownerToken,
      payload: { email: email('co-owner'), role: 'owner' },
    });
    expect(invited.statusCode, invited.body).toBe(201);
    const promoted = await call(t, 'PATCH', url(ws, target.userId), {
      token: ws.ownerToken,
      payload: { role: 'owner' },
    });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(memberView.parse(promoted.json()).role).toBe('owner');
    expect(await ownerCount(ws)).toBe(3);
  });

  it('changes roles and named roles, and removes members', async () => {
    const ws = await newWorkspace(t);
    const m = await memberToken(t, ws, 'member');
    const token = ws.ownerToken;
    const toAdmin = await call(t, 'PATCH', url(ws, m.userId), {
      token,
      payload: { role: 'admin' },
    });
    expect(memberView.parse(toAdmin.json())).toMatchObject({ role: 'admin', named_roles: [] });
    const named = await call(t, 'PATCH', url(ws, m.userId), {
      token,
      payload: { named_roles: ['founder', 'finance_lead'] },
    });
    expect(memberView.parse(named.json())).toMatchObject({
      role: 'admin',
      named_roles: ['founder', 'finance_lead'],
    });
    const deduped = await call(t, 'PATCH', url(ws, m.userId), {
      token,
      payload: { role: 'viewer', named_roles: ['finance_lead', 'finance_lead'] },
    });
    expect(memberView.parse(deduped.json())).toMatchObject({
      role: 'viewer',
      named_roles: ['finance_lead'],
    });
    expect((await list(ws)).find((x) => x.user_id === m.userId)).toMatchObject({
      role: 'viewer',
      named_roles: ['finance_lead'],
    });

    const removed = await call(t, 'DELETE', url(ws, m.userId), { token });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(removed.body).toBe('');
    expect((await list(ws)).map((x) => x.user_id)).not.toContain(m.userId);
    expectError(await call(t, 'DELETE', url(ws, m.userId), { token }), 404, 'not_found');
    expectError(
      await call(t, 'PATCH', url(ws, m.userId), { token, payload: { role: 'member' } }),
      404,
      'not_found',
    );
  });

  it('lets only an owner grant or take away named roles', async () => {
    const ws = await newWorkspace(t);
    const admin = await memberToken(t, ws, 'admin');
    const other = await memberToken(t, ws, 'member', ['founder']);
    for (const target of [admin.userId, other.userId]) {
      expectError(
        await call(t, 'PATCH', url(ws, target), {
          token: admin.token,
          payload: { named_roles: ['finance_lead'] },
        }),
        403,
        'forbidden',
      );
    }
    const members = await list(ws);
    expect(members.find((x) => x.user_id === admin.userId)?.named_roles).toEqual([]);
    expect(members.find((x) => x.user_id === other.userId)?.named_roles).toEqual(['founder']);
  });

  it('keeps the last owner: no demotion, no removal (409 last_owner)', async () => {
    const ws = await newWorkspace(t);
    const token = ws.ownerToken;
    const before = await admin.snapshot(ws.id);
    for (const role of ['admin', 'member', 'viewer']) {
      const res = await call(t, 'PATCH', url(ws, ws.ownerUserId), { token, payload: { role } });
      expectError(res, 409, 'last_owner', role);
    }
    expectError(await call(t, 'DELETE', url(ws, ws.ownerUserId), { token }), 409, 'last_owner');
    expect(await admin.snapshot(ws.id)).toEqual(before);
    const named = await call(t, 'PATCH', url(ws, ws.ownerUserId), {
      token,
      payload: { named_roles: ['founder'] },
    });
    expect(memberView.parse(named.json())).toMatchObject({
      role: 'owner',
      named_roles: ['founder'],
    });
  });

  type Move = 'demote' | 'remove';
  const races: [Move, Move][] = [
    ['demote', 'demote'],
    ['remove', 'remove'],
    ['demote', 'remove'],
  ];
  const refusals: Record<string, number> = {
    last_owner: 409,
    forbidden: 403,
    unauthenticated: 401,
  };
  const seen: string[] = [];
  afterAll(() => {
    console.info(`owner races: losers answered ${seen.join(', ')}`);
  });
  it.each(races)(
    'lets exactly one of two owners win when they %s / %s each other at once',
    async (a, b) => {
      const codes: string[] = [];
      for (let round = 0; round < 4; round += 1) {
        const ws = await newWorkspace(t);
        const second = await memberToken(t, ws, 'owner');
        const move = (kind: Move, token: string, victim: string) =>
          kind === 'demote'
            ? call(t, 'PATCH', url(ws, victim), { token, payload: { role: 'admin' } })
            : call(t, 'DELETE', url(ws, victim), { token });
        const results = await Promise.all([
          move(a, ws.ownerToken, second.userId),
          move(b, second.token, ws.ownerUserId),
        ]);
        const wins = results.filter((r) => r.statusCode < 300);
        expect(wins, results.map((r) => r.body).join(' | ')).toHaveLength(1);
        // The loser saw the winner's commit: last_owner, or it lost the owner role (403) or its
        // membership and token (401) before it was checked.
        const loser = results.find((r) => r.statusCode >= 300)!;
        const code = errorBody.parse(loser.json()).error.code;
        expect(refusals).toHaveProperty(code);
        expectError(loser, refusals[code]!, code);
        codes.push(code);
        expect(await ownerCount(ws)).toBe(1);
      }
      seen.push(...codes);
      // At least one round truly overlapped: the loser waited on the winner's row lock.
      expect(codes).toContain('last_owner');
    },
  );

  it('refuses every member route to viewers and members (403 forbidden), changing nothing', async () => {
    const ws = await newWorkspace(t);
    const target = await memberToken(t, ws, 'viewer');
    for (const role of ['viewer', 'member'] as const) {
      const { token } = await memberToken(t, ws, role);
      const before = await admin.snapshot(ws.id);
      const attempts = [
        await call(t, 'GET', url(ws), { token }),
        await call(t, 'POST', url(ws), { token, payload: { email: email('x'), role: 'viewer' } }),
        await call(t, 'PATCH', url(ws, target.userId), { token, payload: { role: 'admin' } }),
        await call(t, 'DELETE', url(ws, target.userId), { token }),
      ];
      for (const res of attempts) expectError(res, 403, 'forbidden', role);
      expect(await admin.snapshot(ws.id)).toEqual(before);
    }
  });

  it("ends a removed member's tokens", async () => {
    const ws = await newWorkspace(t);
    const m = await memberToken(t, ws, 'member');
    const workrooms = `/api/v1/workspaces/${ws.id}/workrooms`;
    expect((await call(t, 'GET', workrooms, { token: m.token })).statusCode).toBe(200);
    const tokensOf = async () =>
      (
        await admin.client.query(
          'select 1 from wardroom.api_tokens where tenant_id = $1 and user_id = $2',
          [ws.id, m.userId],
        )
      ).rowCount;
    expect(await tokensOf()).toBe(1);
    const del = await call(t, 'DELETE', url(ws, m.userId), { token: ws.ownerToken });
    expect(del.statusCode).toBe(204);
    expect(await tokensOf()).toBe(0);
    expectError(await call(t, 'GET', workrooms, { token: m.token }), 401, 'unauthenticated');
    const write = await call(t, 'POST', workrooms, { token: m.token, payload: { name: 'ghost' } });
    expectError(write, 401, 'unauthenticated');
    expect((await admin.counts(ws.id)).workrooms).toBe(0);
  });
});

describe('profiles are per workspace', () => {
  it("inviting someone's email reveals nothing they set in another workspace", async () => {
    const a = await newWorkspace(t);
    const b = await newWorkspace(t);
    const address = email('shared');
    const inA = await call(t, 'POST', url(a), {
      token: a.ownerToken,
      payload: { email: address, role: 'member', display_name: 'Alice Private' },
    });
    expect(inA.statusCode).toBe(201);
    const inB = await call(t, 'POST', url(b), {
      token: b.ownerToken,
      payload: { email: address, role: 'viewer' },
    });
    expect(inB.statusCode).toBe(201);
    expect(inB.body).not.toContain('Alice Private');
    expect(invitedView.parse(inB.json())).toMatchObject({ email: address, display_name: '' });
    const listedInB = await call(t, 'GET', url(b), { token: b.ownerToken });
    expect(listedInB.body).not.toContain('Alice Private');
    // The app role cannot read global profile columns at all.
    await expect(
      t.db.withTenant(systemPrincipal(b.id, 't', 't'), (tx) =>
        tx.selectFrom('users').select('display_name').execute(),
      ),
    ).rejects.toMatchObject({ code: '42501' });
    // New identities get random (v4) ids: no sign-up time to read off an id.
    const userId = invitedView.parse(inA.json()).user_id;
    expect(userId[14]).toBe('4');
  });
});

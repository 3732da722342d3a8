/**
 * A person's IP address and user agent in the audit log are sealed under a
 * key of their own, and erasing the person (Delete my account) erases them
 * without touching the chain. Checked against the real database: no row
 * holds them in clear (before or after), the owner's Activity shows them
 * until the erasure and `[erased]` after, another person's rows still
 * open, a sealed value moved to another row, person or workspace does not
 * open as anyone's data, and `audit verify` passes live and on an exported
 * file through the CLI.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemPrincipal, userPrincipal } from '../../src/db/principal.js';
import { createCheckpoint } from '../../src/modules/audit/checkpoints.js';
import type { AuditRecord } from '../../src/modules/audit/event.js';
import { openAuditRecords, recordEvent, verifyWorkspace } from '../../src/modules/audit/index.js';
import { receiptKey, runDueDeletions } from '../../src/modules/privacy/index.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { bearer, memberToken, newWorkspace, type TestWorkspace } from '../support/app.js';
import { cliHarness } from '../support/cli.js';
import { dumpRows } from '../support/dump.js';
import { signIn, type Browser } from '../support/sign-in.js';

const h = cliHarness('wardroom-audit-pii-');
let admin: Admin;
let ws: TestWorkspace;
let other: TestWorkspace;
let dir: string;

type Listed = AuditRecord & { personal: { actor_name?: string; ip?: string; user_agent?: string } };

/** Each person acts from an address and a browser of their own. */
const tag = randomBytes(4).toString('hex');
const ada = { ip: '203.0.113.77', ua: `AdaBrowser/${tag}`, email: `ada-${tag}@example.test` };
const bob = { ip: '198.51.100.42', ua: `BobBrowser/${tag}` };
let adaSession: Browser;
let adaToken: string;
let bobToken: string;

const app = () => h.app().app;

async function as(
  who: { ip: string; ua: string },
  auth: Record<string, string>,
  url: string,
  payload?: object,
) {
  const res = await app().inject({
    method: payload === undefined ? 'GET' : 'POST',
    url,
    remoteAddress: who.ip,
    headers: { ...auth, 'user-agent': who.ua },
    ...(payload === undefined ? {} : { payload }),
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res;
}

async function activity(w: TestWorkspace): Promise<Listed[]> {
  await h.app().db.withSystem('test: chain', (tx) => tx.call('audit_seal_pending', 10_000));
  const res = await app().inject({
    url: `/api/v1/workspaces/${w.id}/activity?limit=200`,
    headers: bearer(w.ownerToken),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: Listed[] }>().items;
}

async function auditRowsText(): Promise<string> {
  const { rows } = await admin.client.query<{ row: string }>(
    'select row_to_json(a)::text as row from wardroom.audit_log a',
  );
  return rows.map((r) => r.row).join('\n');
}

const byActor = (items: readonly Listed[], actorId: string) =>
  items.filter((e) => e.actor_id === actorId && e.context['ip'] !== undefined);

beforeAll(async () => {
  admin = await connectAdmin();
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-audit-pii-files-'));
  ws = await newWorkspace(h.app());
  other = await newWorkspace(h.app());
  for (const w of [ws, other]) {
    const invited = await app().inject({
      method: 'POST',
      url: `/api/v1/workspaces/${w.id}/members`,
      headers: bearer(w.ownerToken),
      payload: { email: ada.email, role: 'admin', display_name: 'Ada Lovelace' },
    });
    expect(invited.statusCode, invited.body).toBe(201);
  }
  adaSession = await signIn(h.app(), ada.email);
  const rooms = `/api/v1/workspaces/${ws.id}/workrooms`;
  await as(ada, adaSession.write, rooms, { name: 'Ada room' });
  await as(ada, adaSession.write, `/api/v1/workspaces/${other.id}/workrooms`, {
    name: 'Elsewhere',
  });
  const made = await as(ada, adaSession.write, `/api/v1/workspaces/${ws.id}/tokens`, {
    name: 'ada cli',
  });
  adaToken = made.json<{ token: string }>().token;
  await as(ada, bearer(adaToken), rooms, { name: 'Ada by token' });
  await as(ada, bearer(adaToken), rooms);
  bobToken = (await memberToken(h.app(), ws, 'member')).token;
  await as(bob, bearer(bobToken), rooms, { name: 'Bob room' });
});
afterAll(async () => {
  await admin.close();
});

describe('before the erasure', () => {
  it('no audit row holds an IP address or user agent in clear', async () => {
    await activity(ws);
    const text = await auditRowsText();
    for (const secret of [ada.ip, ada.ua, bob.ip, bob.ua]) expect(text).not.toContain(secret);
    expect(text).toMatch(/"ip": "pii2:/);
    expect(text).toMatch(/"user_agent": "pii2:/);
  });

  it("shows the owner each person's own values in Activity", async () => {
    const items = await activity(ws);
    const mine = items.filter((e) => e.personal.user_agent === ada.ua);
    // Two workrooms and a token by session, a workroom by token.
    expect(mine.length).toBeGreaterThanOrEqual(3);
    expect(new Set(mine.map((e) => e.actor_type))).toEqual(new Set(['user', 'api_token']));
    for (const e of mine) expect(e.personal).toEqual({ ip: ada.ip, user_agent: ada.ua });
    const bobs = items.filter((e) => e.personal.user_agent === bob.ua);
    expect(bobs.length).toBeGreaterThanOrEqual(1);
    for (const e of bobs) expect(e.personal.ip).toBe(bob.ip);
  });

  it('seals each request afresh: one address gives unrelated strings', async () => {
    const stored = byActor(await activity(ws), adaSession.userId).map((e) => e.context['ip']);
    const perRequest = new Map(
      byActor(await activity(ws), adaSession.userId).map((e) => [
        e.correlation_id,
        e.context['ip'],
      ]),
    );
    expect(perRequest.size).toBeGreaterThanOrEqual(2);
    expect(new Set(perRequest.values()).size).toBe(perRequest.size);
    // The person is the row's actor: the string does not repeat it.
    expect(stored.every((s) => s?.startsWith('pii2:') && !s.includes(adaSession.userId))).toBe(
      true,
    );
  });

  it('does not open a sealed value moved to another row, person, field or workspace', async () => {
    const items = await activity(ws);
    const [a1, a2] = byActor(items, adaSession.userId).filter(
      (e, i, all) => all.findIndex((x) => x.correlation_id === e.correlation_id) === i,
    );
    const b1 = items.find((e) => e.personal.user_agent === bob.ua)!;
    expect(a1 && a2 && b1).toBeTruthy();
    const moved: AuditRecord[] = [
      // Ada's IP pasted into another request of hers, into Bob's row, into her own
      // user agent field, and into a copy of her row in another workspace.
      { ...a2!, context: { ...a2!.context, ip: a1!.context['ip']! } },
      { ...b1, context: { ...b1.context, ip: a1!.context['ip']! } },
      { ...a1!, context: { ...a1!.context, user_agent: a1!.context['ip']! } },
      { ...a1!, tenant_id: other.id },
      // The seal altered by one character of its ciphertext.
      { ...a1!, context: { ...a1!.context, ip: flipLast(a1!.context['ip']!) } },
    ];
    const opened = await h
      .app()
      .db.withTenant(systemPrincipal(ws.id, 'test'), (tx) => openAuditRecords(tx, moved));
    expect(opened.map((r) => r.personal)).toEqual([
      { ip: '[unreadable]', user_agent: ada.ua },
      { ip: '[unreadable]', user_agent: bob.ua },
      { ip: a1!.personal.ip, user_agent: '[unreadable]' },
      { ip: '[unreadable]', user_agent: '[unreadable]' },
      { ip: '[unreadable]', user_agent: a1!.personal.user_agent },
    ]);
    const leaked = JSON.stringify(opened.filter((_, i) => i !== 2));
    expect(leaked).not.toContain(ada.ip);
    expect(leaked).not.toContain(bob.ip);
  });
});

describe('the key of a person', () => {
  it('is created once when their first requests race, and every event opens', async () => {
    const { token } = await memberToken(h.app(), ws, 'member');
    const racer = { ip: '192.0.2.5', ua: `Racer/${tag}` };
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        as(racer, bearer(token), `/api/v1/workspaces/${ws.id}/workrooms`, { name: `race ${i}` }),
      ),
    );
    const theirs = (await activity(ws)).filter((e) => e.personal.user_agent === racer.ua);
    expect(theirs).toHaveLength(6);
    for (const e of theirs) expect(e.personal.ip).toBe(racer.ip);
    const { rows } = await admin.client.query(
      'select 1 from wardroom.audit_person_keys where person = $1',
      [`api_token:${theirs[0]!.actor_id}`],
    );
    expect(rows).toHaveLength(1);
  });

  it('made by a transaction that rolls back is gone with it, and the next one works', async () => {
    const person = randomUUID();
    const origin = (n: number) => ({
      correlationId: randomUUID(),
      ip: `192.0.2.${n}`,
      userAgent: 'Undo/1',
    });
    const keyRows = async () =>
      (
        await admin.client.query('select 1 from wardroom.audit_person_keys where person = $1', [
          `user:${person}`,
        ])
      ).rows.length;
    await expect(
      h.app().db.withTenant(userPrincipal(ws.id, person, origin(1)), async (tx) => {
        await recordEvent(tx, { action: 'test.undone' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await keyRows()).toBe(0);
    await h
      .app()
      .db.withTenant(userPrincipal(ws.id, person, origin(2)), (tx) =>
        recordEvent(tx, { action: 'test.kept' }),
      );
    expect(await keyRows()).toBe(1);
    const kept = (await activity(ws)).filter((e) => e.action === 'test.kept');
    expect(kept.map((e) => e.personal)).toEqual([{ ip: '192.0.2.2', user_agent: 'Undo/1' }]);
  });
});

function flipLast(sealed: string): string {
  const last = sealed.at(-2) === 'A' ? 'B' : 'A';
  return sealed.slice(0, -2) + last + sealed.slice(-1);
}

describe('after the person is erased', () => {
  let before: Listed[];
  let after: Listed[];

  beforeAll(async () => {
    before = await activity(ws);
    const res = await app().inject({
      method: 'POST',
      url: '/api/v1/account/delete',
      headers: adaSession.write,
      payload: { confirm_email: ada.email },
    });
    // Scheduled; the sweep runs it once its cooling-off has passed.
    expect(res.statusCode, res.body).toBe(202);
    const later = new Date(Date.now() + 8 * 24 * 60 * 60 * 1000);
    const t = h.app();
    const swept = await runDueDeletions(
      {
        db: t.db,
        keyring: t.keyring,
        clock: () => later,
        coolingOffDays: 7,
        receiptKey: receiptKey(t.authSecret),
      },
      undefined,
      [adaSession.userId],
    );
    expect(swept).toMatchObject({ claimed: 1, completed: 1 });
    after = await activity(ws);
  });

  it('deletes her keys and her API tokens’ keys, and no one else’s', async () => {
    const { rows } = await admin.client.query<{ person: string }>(
      'select person from wardroom.audit_person_keys',
    );
    const persons = rows.map((r) => r.person);
    expect(persons.some((p) => p.includes(adaSession.userId))).toBe(false);
    const adaTokenId = before.find(
      (e) => e.personal.user_agent === ada.ua && e.actor_type === 'api_token',
    )?.actor_id;
    expect(adaTokenId).toBeDefined();
    expect(persons).not.toContain(`api_token:${adaTokenId}`);
    const bobTokenId = before.find((e) => e.personal.user_agent === bob.ua)?.actor_id;
    expect(persons).toContain(`api_token:${bobTokenId}`);
  });

  it('leaves every stored event and hash as it was, and Activity shows her fields as erased', () => {
    const adaTokenId = before.find(
      (e) => e.personal.user_agent === ada.ua && e.actor_type === 'api_token',
    )?.actor_id;
    const stored = new Map(after.map((e) => [e.seq, e]));
    let erased = 0;
    for (const e of before) {
      const now = stored.get(e.seq)!;
      const { personal: was, ...storedBefore } = e;
      const { personal, ...storedAfter } = now;
      expect(storedAfter).toEqual(storedBefore);
      if (e.actor_id === adaSession.userId || e.actor_id === adaTokenId) {
        expect(personal).toEqual({ ip: '[erased]', user_agent: '[erased]' });
        erased += 1;
      } else {
        expect(personal).toEqual(was);
      }
    }
    expect(erased).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(after)).not.toContain(ada.ua);
    expect(after.some((e) => e.personal.user_agent === bob.ua)).toBe(true);
  });

  it('erases her in every workspace she acted in', async () => {
    const items = await activity(other);
    const hers = byActor(items, adaSession.userId);
    expect(hers.length).toBeGreaterThanOrEqual(1);
    for (const e of hers) expect(e.personal).toEqual({ ip: '[erased]', user_agent: '[erased]' });
  });

  it('leaves her address and browser nowhere in the audit log, in clear', async () => {
    const text = await auditRowsText();
    for (const secret of [ada.ip, ada.ua, ada.email]) expect(text).not.toContain(secret);
    const dump = await dumpRows(inject('adminUrl'));
    expect(dump).not.toContain(ada.ua);
    expect(dump).not.toContain(ada.ip);
  });

  it('still verifies: live, and an exported file through the CLI', async () => {
    for (const w of [ws, other]) {
      const live = await verifyWorkspace(h.app().db, w.id, {
        checkpointDir: await mkdtemp(path.join(dir, 'live-')),
        publicKey: h.app().auditSigner.publicKey,
      });
      expect(live.ok, JSON.stringify(live)).toBe(true);
    }
    await createCheckpoint(h.app().db, h.app().auditSigner, path.join(dir, 'cp'), ws.id);
    const res = await app().inject({
      url: `/api/v1/workspaces/${ws.id}/activity/export?format=jsonl`,
      headers: bearer(ws.ownerToken),
    });
    expect(res.statusCode, res.body).toBe(200);
    // The file carries the sealed strings exactly as hashed, never the marker.
    expect(res.body).toContain('"ip":"pii2:');
    expect(res.body).not.toContain('[erased]');
    const file = path.join(dir, 'export.jsonl');
    await writeFile(file, res.body);
    const run = await h.run(
      'audit',
      'verify',
      '--file',
      file,
      '--checkpoints',
      path.join(dir, 'none'),
      '--public-key',
      h.app().auditSigner.publicKey,
    );
    expect(run.out[0]).toMatch(new RegExp(`^ok ${ws.id}: \\d+ events`));
  });
});

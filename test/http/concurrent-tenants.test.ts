/**
 * Many tenants through a pool of two connections at once: random
 * interleavings of posts, message lists and workroom reads, all in flight
 * together, never answer with another tenant's ids or content, and every
 * post lands in its own tenant's conversation (no lost or misrouted write).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { connectAdmin, type Admin } from '../support/admin.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { call, seedContent, type SeededContent } from '../support/http.js';

const TENANTS = 6;

interface Tenant extends SeededContent {
  readonly ws: TestWorkspace;
  readonly marker: string;
  /** Every id and marker of this tenant: none may appear in another tenant's response. */
  readonly secrets: readonly string[];
  posted: number;
}

const message = z.object({
  id: z.uuid(),
  conversation_id: z.uuid(),
  author_id: z.uuid().nullable(),
  content: z.string(),
});
const messagePage = z.object({ items: z.array(message), next_cursor: z.string().nullable() });
const workroom = z.object({ id: z.uuid(), name: z.string(), created_by: z.uuid() });

let t: TestApp;
let admin: Admin;
const tenants: Tenant[] = [];

beforeAll(async () => {
  const masterKey = randomBytes(32);
  const setup = await startTestApp({ masterKey });
  try {
    for (let i = 0; i < TENANTS; i += 1) {
      const ws = await newWorkspace(setup);
      const marker = `tenant${i}-${randomBytes(8).toString('hex')}`;
      const seeded = await seedContent(setup, ws, marker);
      const secrets = [ws.id, ws.ownerUserId, seeded.workroomId, seeded.conversationId, marker];
      tenants.push({ ws, marker, ...seeded, secrets: [...secrets, seeded.messageId], posted: 1 });
    }
  } finally {
    await setup.close();
  }
  t = await startTestApp({ masterKey, poolMax: 2 });
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.close();
  await t.close();
});

type Kind = 'post' | 'list' | 'getWorkroom';
interface Command {
  readonly tenant: number;
  readonly kind: Kind;
  readonly content: string;
}

const command: fc.Arbitrary<Command> = fc.record({
  tenant: fc.integer({ min: 0, max: TENANTS - 1 }),
  kind: fc.constantFrom<Kind>('post', 'list', 'getWorkroom'),
  content: fc.string({ unit: 'grapheme', maxLength: 60 }),
});

async function run(c: Command): Promise<void> {
  const me = tenants[c.tenant]!;
  const base = `/api/v1/workspaces/${me.ws.id}`;
  const token = me.ws.ownerToken;
  const label = `${c.kind} as tenant ${c.tenant}`;
  let body: string;
  if (c.kind === 'post') {
    const content = `${me.marker} ${c.content}`;
    const res = await call(t, 'POST', `${base}/conversations/${me.conversationId}/messages`, {
      token,
      payload: { content },
    });
    expect(res.statusCode, `${label}: ${res.body}`).toBe(201);
    expect(message.parse(res.json())).toMatchObject({
      conversation_id: me.conversationId,
      author_id: me.ws.ownerUserId,
      content,
    });
    me.posted += 1;
    body = res.body;
  } else if (c.kind === 'list') {
    const url = `${base}/conversations/${me.conversationId}/messages?limit=200`;
    const res = await call(t, 'GET', url, { token });
    expect(res.statusCode, `${label}: ${res.body}`).toBe(200);
    const page = messagePage.parse(res.json());
    expect(page.items.length).toBeGreaterThan(0);
    for (const item of page.items) {
      expect(item.conversation_id, label).toBe(me.conversationId);
      expect(item.content.startsWith(`${me.marker} `), label).toBe(true);
    }
    body = res.body;
  } else {
    const res = await call(t, 'GET', `${base}/workrooms/${me.workroomId}`, { token });
    expect(res.statusCode, `${label}: ${res.body}`).toBe(200);
    expect(workroom.parse(res.json())).toMatchObject({
      id: me.workroomId,
      name: `${me.marker} room`,
      created_by: me.ws.ownerUserId,
    });
    body = res.body;
  }
  tenants.forEach((other, i) => {
    if (i === c.tenant) return;
    for (const secret of other.secrets)
      expect(body, `${label} leaked tenant ${i}`).not.toContain(secret);
  });
}

describe('concurrent tenants on a small pool', () => {
  it('never crosses tenants under random interleavings', async () => {
    let batches = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 2, maxLength: 60 }), async (commands) => {
        batches += 1;
        await Promise.all(commands.map(run));
      }),
      { numRuns: 40 },
    );
    expect(batches).toBeGreaterThanOrEqual(15);

    // Every post landed, once, in its own tenant's conversation and nowhere else.
    for (const me of tenants) {
      const counts = await admin.counts(me.ws.id);
      expect(counts.messages).toBe(me.posted);
      const { rows } = await admin.client.query<{ n: number }>(
        'select count(*)::int as n from wardroom.messages where tenant_id = $1 and conversation_id <> $2',
        [me.ws.id, me.conversationId],
      );
      expect(rows[0]!.n).toBe(0);
    }
  });
});

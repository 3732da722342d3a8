/**
 * The export's keyset pages with their real sizes: messages over several
 * 500-row pages (the next page fetched ahead), and an audit log of bulk
 * events (one statement over 2,500 rows lists its targets in events of up
 * to 1,000) among one-target ones, whose pages are sized by their targets.
 * Every message and every audit event is in the zip once, in id order.
 */
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { runWorkspaceExport } from '../../src/modules/privacy/index.js';
import { objectKey } from '../../src/modules/storage/index.js';
import { contentRef } from '../../src/modules/workrooms/messages.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { unzip } from '../support/zip.js';
import { seedContent } from '../support/http.js';
import { connectSuperuser } from '../support/keys.js';

const BULK = 2_500;
let t: TestApp;
let ws: TestWorkspace;

beforeAll(async () => {
  t = await startTestApp();
  ws = await newWorkspace(t);
  const seeded = await seedContent(t, ws, 'pages');
  // One statement, BULK sealed messages: its audit events list up to 1,000 targets each.
  const principal = systemPrincipal(ws.id, 'test', 'test');
  await t.db.withTenant(principal, async (tx) => {
    const author = { author_type: 'user' as const, author_id: ws.ownerUserId };
    const ids = Array.from({ length: BULK }, () => uuidv7());
    const sealed: Buffer[] = [];
    for (const [i, id] of ids.entries()) {
      const ref = contentRef(id, seeded.conversationId, author);
      sealed.push(await t.keyring.seal(tx, ref, Buffer.from(`bulk ${i}`, 'utf8')));
    }
    await sql`insert into wardroom.messages (tenant_id, id, conversation_id, author_type, author_id, content)
      select ${ws.id}::uuid, m.id, ${seeded.conversationId}::uuid, 'user', ${ws.ownerUserId}::uuid, m.content
        from unnest(${ids}::uuid[], ${sealed}::bytea[]) as m(id, content)`.execute(tx);
  });
});
afterAll(() => t.close());

const lines = (s: string | undefined): Record<string, unknown>[] =>
  (s ?? '')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('export pages', () => {
  it('writes every message and every audit event once, in order, bulk events included', async () => {
    const admin = await connectSuperuser();
    try {
      const principal = systemPrincipal(ws.id, 'test', 'test');
      const result = await t.db.withTenant(principal, (tx) =>
        runWorkspaceExport(
          tx,
          { keyring: t.keyring, storage: t.storage },
          { form: 'readable', requesterId: ws.ownerUserId },
        ),
      );
      const body = await t.storage.read(principal, objectKey(ws.id, 'exports', result.file_name));
      const chunks: Buffer[] = [];
      for await (const c of Readable.from(body)) chunks.push(c as Buffer);
      const files = await unzip(Buffer.concat(chunks));

      const messages = lines(files.get('messages.jsonl'));
      expect(messages).toHaveLength(BULK + 1);
      const ids = messages.map((m) => String(m['id']));
      expect([...ids].sort()).toEqual(ids);
      expect(messages.filter((m) => String(m['content']).startsWith('bulk '))).toHaveLength(BULK);

      const { rows } = await admin.query<{ n: string; bulk: string }>(
        `select count(*) as n, count(*) filter (where jsonb_array_length(targets) > 100) as bulk
           from wardroom.audit_log where tenant_id = $1 and id <= (
             select max(id) from wardroom.audit_log where tenant_id = $1 and action = 'privacy.export.created')`,
        [ws.id],
      );
      expect(Number(rows[0]?.bulk)).toBeGreaterThanOrEqual(2);
      const audit = lines(files.get('audit.jsonl'));
      expect(audit).toHaveLength(Number(rows[0]?.n));
      const targets = audit.reduce((n, e) => n + (e['targets'] as unknown[]).length, 0);
      expect(targets).toBeGreaterThanOrEqual(BULK);
    } finally {
      await admin.end();
    }
  });
});

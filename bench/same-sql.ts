/**
 * The "same SQL" reference: a minimal Fastify handler (no schemas, no
 * encryption, no Kysely, no error mapping) that sends PostgreSQL exactly
 * the statements the full stack sends for a request, as the app role, as
 * named prepared statements: BEGIN, the tenant context, the token lookup,
 * the insert or select (RLS, the composite foreign key and the audit
 * trigger all fire), COMMIT. Content is stored as plain UTF-8 bytes.
 *
 * Full stack / same SQL isolates what Wardroom's application layer costs;
 * same SQL / baseline is what the database invariants cost.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase } from '../src/db/database.js';
import { principalOf } from '../src/db/tenant-tx.js';
import { localKek } from '../src/modules/crypto/index.js';
import { benchRoots } from './roots.js';
import { createKeyring } from '../src/modules/keys/keyring.js';
import { parseToken } from '../src/modules/tenancy/token-format.js';
import { appNameOf } from './cpu.js';
import { listening, type Started } from './started.js';
import type { RequestSpec, TargetInit } from './protocol.js';
import { seedWorkspaces } from './seed.js';

const CONTEXT = {
  name: 'bench_context',
  text: `select set_config('wardroom.tenant_id', $1, true), set_config('wardroom.actor_type', 'api_token', true),
            set_config('wardroom.actor_id', $2, true), set_config('wardroom.correlation_id', $3, true),
            set_config('wardroom.actor_name', '', true), set_config('wardroom.ip', $4, true),
            set_config('wardroom.user_agent', $5, true)`,
};
const TOKEN = {
  name: 'bench_token',
  text: `select t.secret_hash, t.revoked_at, m.user_id, m.role, m.named_roles
           from api_tokens t join memberships m on m.tenant_id = t.tenant_id and m.user_id = t.user_id
          where t.id = $1`,
};
const INSERT = {
  name: 'bench_insert',
  text: `insert into messages (tenant_id, id, conversation_id, author_type, author_id, content)
         values ($1, $2, $3, 'user', $4, $5)
         returning id, conversation_id, author_type, author_id, created_at`,
};
const SELECT = {
  name: 'bench_select',
  text: `select id, conversation_id, author_type, author_id, content, created_at from messages
          where conversation_id = $1 order by id limit $2`,
};

interface MessageRow {
  id: string;
  conversation_id: string;
  author_type: string;
  author_id: string | null;
  content?: Buffer;
  created_at: Date;
}

const view = (r: MessageRow, content: string) => ({
  id: r.id,
  conversation_id: r.conversation_id,
  author_type: r.author_type,
  author_id: r.author_id,
  content,
  created_at: r.created_at.toISOString(),
});

export async function startSameSql(init: TargetInit): Promise<Started> {
  const url = new URL(init.appUrl);
  url.searchParams.set('application_name', appNameOf('sql'));
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: init.poolMax,
    options: '-c search_path=wardroom,pg_catalog,pg_temp',
  });
  pool.on('error', () => undefined);
  const seeding = createDatabase({ appUrl: init.appUrl, poolMax: 2 });
  const app = Fastify({ logger: false });
  try {
    const keyring = createKeyring(localKek(randomBytes(32)), { roots: await benchRoots() });
    const post: RequestSpec[] = [];
    const read: RequestSpec[] = [];
    const seeded = await seedWorkspaces(seeding, keyring, init, (tx, conversationId, authorId) =>
      tx
        .insertInto('messages')
        .values({
          tenant_id: principalOf(tx).tenantId,
          id: uuidv7(),
          conversation_id: conversationId,
          author_type: 'user',
          author_id: authorId,
          content: Buffer.from(init.content, 'utf8'),
        })
        .execute(),
    );
    for (const ws of seeded) {
      const base = `/w/${ws.workspaceId}/c`;
      const auth = { authorization: `Bearer ${ws.token}` };
      post.push({
        method: 'POST',
        path: `${base}/${ws.writes}`,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ content: init.content }),
      });
      read.push({ method: 'GET', path: `${base}/${ws.reads}?limit=50`, headers: auth });
    }

    /** BEGIN, context, token lookup, `work`, COMMIT: the statements the full stack sends. */
    async function inTenant<T>(
      tenantId: string,
      authorization: string | undefined,
      work: (client: pg.PoolClient, userId: string) => Promise<T>,
    ): Promise<T> {
      const token = parseToken(authorization?.slice('Bearer '.length) ?? '');
      if (token === undefined) throw new Error('no token');
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query({
          ...CONTEXT,
          values: [tenantId, token.tokenId, randomUUID(), '127.0.0.1', 'autocannon'],
        });
        const member = await client.query<{ user_id: string }>({
          ...TOKEN,
          values: [token.tokenId],
        });
        const result = await work(client, member.rows[0]!.user_id);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    }

    app.post<{ Params: { ws: string; id: string }; Body: { content: string } }>(
      '/w/:ws/c/:id',
      async (req, reply) => {
        const row = await inTenant(req.params.ws, req.headers.authorization, async (c, userId) => {
          const content = Buffer.from(req.body.content, 'utf8');
          const values = [req.params.ws, uuidv7(), req.params.id, userId, content];
          return (await c.query<MessageRow>({ ...INSERT, values })).rows[0]!;
        });
        return reply.status(201).send(view(row, req.body.content));
      },
    );
    app.get<{ Params: { ws: string; id: string }; Querystring: { limit?: string } }>(
      '/w/:ws/c/:id',
      async (req) => {
        const rows = await inTenant(req.params.ws, req.headers.authorization, async (c) => {
          const values = [req.params.id, Number(req.query.limit ?? 50)];
          return (await c.query<MessageRow>({ ...SELECT, values })).rows;
        });
        return {
          items: rows.map((r) => view(r, (r.content ?? Buffer.alloc(0)).toString('utf8'))),
          next_cursor: null,
        };
      },
    );
    const started = await listening(app, { post, read }, () => pool.end());
    await seeding.close();
    return started;
  } catch (error) {
    await app.close();
    await pool.end();
    await seeding.close();
    throw error;
  }
}

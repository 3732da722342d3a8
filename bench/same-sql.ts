/**
 * The "same SQL" reference: a minimal Fastify handler (no schemas, no
 * encryption, no Kysely, no error mapping, no CSRF check) that sends
 * PostgreSQL exactly the statements the full stack sends for a request, as
 * the app role, as named prepared statements, texts and all: BEGIN, the
 * tenant context, the token lookup, the insert or select (RLS, the
 * composite foreign key and the audit trigger all fire), COMMIT; with a
 * session cookie, the session lookup in a system transaction when this
 * process has not looked it up within the session cache's TTL (as the full
 * stack's cache does), and the membership lookup instead of the token's.
 * Content is stored as plain
 * UTF-8 bytes. run.ts checks, before measuring, that the statement texts
 * are the full stack's, one by one.
 *
 * Full stack / same SQL isolates what Wardroom's application layer costs;
 * same SQL / baseline is what the database invariants cost.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createDatabase } from '../src/db/database.js';
import { principalOf } from '../src/db/tenant-tx.js';
import { localKek } from '../src/modules/crypto/index.js';
import { benchRoots } from './roots.js';
import { createKeyring } from '../src/modules/keys/keyring.js';
import { parseToken } from '../src/modules/tenancy/token-format.js';
import { DEFAULT_AUTH_SETTINGS, DEFAULT_SESSION_CACHE_TTL_MS } from '../src/modules/auth/index.js';
import { appNameOf } from './cpu.js';
import { listening, type Started } from './started.js';
import type { RequestSpec, Scenario, TargetInit } from './protocol.js';
import { seedWorkspaces, sessionHeaders, signIn } from './seed.js';

const setConfigs = (n: number) =>
  `select ${Array.from({ length: n }, (_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`;
const CONTEXT = { name: 'bench_context', text: setConfigs(7) };
const SYSTEM_CONTEXT = { name: 'bench_system_context', text: setConfigs(3) };
const TOKEN = {
  name: 'bench_token',
  text: `select "t"."secret_hash", "t"."revoked_at", "t"."expires_at", "m"."user_id", "m"."role", "m"."named_roles", "w"."shredded_at"
           from "api_tokens" as "t"
          inner join "memberships" as "m" on "m"."tenant_id" = "t"."tenant_id" and "m"."user_id" = "t"."user_id"
          inner join "workspaces" as "w" on "w"."tenant_id" = "t"."tenant_id"
          where "t"."id" = $1`,
};
const SESSION = {
  name: 'bench_session',
  text: `select "wardroom"."auth_session"($1, $2) as value`,
};
const MEMBER = {
  name: 'bench_member',
  text: `select "m"."user_id", "m"."role", "m"."named_roles", "w"."shredded_at", "p"."require_sso"
           from "memberships" as "m" inner join "workspaces" as "w" on "w"."tenant_id" = "m"."tenant_id"
           left join "sso_policies" as "p" on "p"."tenant_id" = "m"."tenant_id"
          where "m"."user_id" = $1`,
};
const INSERT = {
  name: 'bench_insert',
  text: `insert into "messages" ("tenant_id", "id", "conversation_id", "author_type", "author_id", "content")
         values ($1, $2, $3, $4, $5, $6)
         returning "id", "conversation_id", "author_type", "author_id", "created_at"`,
};
const SELECT = {
  name: 'bench_select',
  text: `select "id", "conversation_id", "author_type", "author_id", "content", "created_at" from "messages"
          where "conversation_id" = $1 order by "id" limit $2`,
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

/** Who calls: what the tenant context names, and the lookup that finds their membership. */
interface Caller {
  readonly actorType: 'api_token' | 'user';
  readonly actorId: string;
  readonly lookup: { name: string; text: string; values: unknown[] };
}

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
    const secret = randomBytes(32);
    const requests: Record<Scenario, RequestSpec[]> = {
      post: [],
      read: [],
      sessionPost: [],
      sessionRead: [],
    };
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
      const path = (conversation: string) => `/w/${ws.workspaceId}/c/${conversation}`;
      const auth = { authorization: `Bearer ${ws.token}` };
      const session = await signIn(seeding, secret, ws.ownerEmail);
      const body = JSON.stringify({ content: init.content });
      const read = `${path(ws.reads)}?limit=50`;
      requests.post.push({
        method: 'POST',
        path: path(ws.writes),
        headers: { ...auth, 'content-type': 'application/json' },
        body,
      });
      requests.read.push({ method: 'GET', path: read, headers: auth });
      const cookie = sessionHeaders(session, true);
      requests.sessionPost.push({ method: 'POST', path: path(ws.writes), headers: cookie, body });
      requests.sessionRead.push({
        method: 'GET',
        path: read,
        headers: sessionHeaders(session, false),
      });
    }

    /** Sessions looked up within the TTL: their person. */
    const sessions = new Map<string, { userId: string; until: number }>();
    const sessionCaller = (userId: string): Caller => ({
      actorType: 'user',
      actorId: userId,
      lookup: { ...MEMBER, values: [userId] },
    });

    /** The token's, or the session's (looked up in a system transaction of its own). */
    async function callerOf(headers: {
      authorization?: string | undefined;
      cookie?: string | undefined;
    }): Promise<Caller> {
      if (headers.authorization !== undefined) {
        const token = parseToken(headers.authorization.slice('Bearer '.length));
        if (token === undefined) throw new Error('no token');
        const values = [token.tokenId];
        return { actorType: 'api_token', actorId: token.tokenId, lookup: { ...TOKEN, values } };
      }
      const cookieToken = (headers.cookie ?? '').slice('wardroom_session='.length);
      const cached = sessions.get(cookieToken);
      if (cached !== undefined && cached.until > Date.now()) return sessionCaller(cached.userId);
      const hash = createHash('sha256').update(cookieToken).digest();
      const client = await pool.connect();
      let userId: string;
      try {
        await client.query('begin');
        await client.query({
          ...SYSTEM_CONTEXT,
          values: [
            'wardroom.actor_type',
            'system',
            'wardroom.actor_id',
            'system',
            'wardroom.system_reason',
            'auth: resolve session',
          ],
        });
        const { rows } = await client.query<{ value: { user_id: string } | null }>({
          ...SESSION,
          values: [hash, DEFAULT_AUTH_SETTINGS.sessionIdleSeconds],
        });
        await client.query('commit');
        if (rows[0]?.value === null || rows[0]?.value === undefined) throw new Error('no session');
        userId = rows[0].value.user_id;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      sessions.set(cookieToken, { userId, until: Date.now() + DEFAULT_SESSION_CACHE_TTL_MS });
      return sessionCaller(userId);
    }

    /** BEGIN, context, membership lookup, `work`, COMMIT: the statements the full stack sends. */
    async function inTenant<T>(
      tenantId: string,
      caller: Caller,
      work: (client: pg.PoolClient, userId: string) => Promise<T>,
    ): Promise<T> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query({
          ...CONTEXT,
          values: [
            'wardroom.tenant_id',
            tenantId,
            'wardroom.actor_type',
            caller.actorType,
            'wardroom.actor_id',
            caller.actorId,
            'wardroom.correlation_id',
            randomUUID(),
            'wardroom.actor_name',
            '',
            'wardroom.ip',
            '127.0.0.1',
            'wardroom.user_agent',
            '',
          ],
        });
        const member = await client.query<{ user_id: string }>(caller.lookup);
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
        const caller = await callerOf(req.headers);
        const row = await inTenant(req.params.ws, caller, async (c, userId) => {
          const content = Buffer.from(req.body.content, 'utf8');
          const values = [req.params.ws, uuidv7(), req.params.id, 'user', userId, content];
          return (await c.query<MessageRow>({ ...INSERT, values })).rows[0]!;
        });
        return reply.status(201).send(view(row, req.body.content));
      },
    );
    app.get<{ Params: { ws: string; id: string }; Querystring: { limit?: string } }>(
      '/w/:ws/c/:id',
      async (req) => {
        const caller = await callerOf(req.headers);
        const rows = await inTenant(req.params.ws, caller, async (c) => {
          // The full stack reads one row more than the page, to know whether another follows.
          const values = [req.params.id, Number(req.query.limit ?? 50) + 1];
          return (await c.query<MessageRow>({ ...SELECT, values })).rows;
        });
        return {
          items: rows
            .slice(0, 50)
            .map((r) => view(r, (r.content ?? Buffer.alloc(0)).toString('utf8'))),
          next_cursor: null,
        };
      },
    );
    const started = await listening(app, requests, () => pool.end());
    await seeding.close();
    return started;
  } catch (error) {
    await app.close();
    await pool.end();
    await seeding.close();
    throw error;
  }
}

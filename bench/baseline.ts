/**
 * The baseline: the least a server doing the same work can do. Fastify with
 * no schemas, no auth, no RLS, no encryption, one autocommit statement per
 * request, as the superuser, on a plain table in schema bench_baseline of the
 * same database. Same pool size as the full stack.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { appNameOf } from './cpu.js';
import { listening, type Started } from './started.js';
import type { RequestSpec, TargetInit } from './protocol.js';

const SCHEMA = `
  create schema if not exists bench_baseline;
  create table if not exists bench_baseline.messages_plain (
    id uuid primary key,
    conversation_id uuid not null,
    content text not null,
    created_at timestamptz not null default now()
  );
  create index if not exists messages_plain_conversation_idx on bench_baseline.messages_plain (conversation_id, id);
`;

interface MessageRow {
  id: string;
  conversation_id: string;
  content: string;
  created_at: Date;
}

const view = (r: MessageRow) => ({ ...r, created_at: r.created_at.toISOString() });

export async function startBaseline(init: TargetInit): Promise<Started> {
  const pool = new pg.Pool({
    connectionString: init.adminUrl,
    max: init.poolMax,
    application_name: appNameOf('baseline'),
  });
  pool.on('error', () => undefined);
  const app = Fastify({ logger: false });
  try {
    await pool.query(SCHEMA);
    const post: RequestSpec[] = [];
    const read: RequestSpec[] = [];
    for (let i = 0; i < init.workspaces; i += 1) {
      const writes = randomUUID();
      const reads = randomUUID();
      for (let m = 0; m < init.seedMessages; m += 1) {
        await pool.query(
          'insert into bench_baseline.messages_plain (id, conversation_id, content) values ($1, $2, $3)',
          [uuidv7(), reads, init.content],
        );
      }
      post.push({
        method: 'POST',
        path: `/conversations/${writes}/messages`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: init.content }),
      });
      read.push({ method: 'GET', path: `/conversations/${reads}/messages?limit=50`, headers: {} });
    }

    app.post<{ Params: { id: string }; Body: { content: string } }>(
      '/conversations/:id/messages',
      async (req, reply) => {
        const { rows } = await pool.query<MessageRow>(
          `insert into bench_baseline.messages_plain (id, conversation_id, content) values ($1, $2, $3)
         returning id, conversation_id, content, created_at`,
          [uuidv7(), req.params.id, req.body.content],
        );
        return reply.status(201).send(view(rows[0]!));
      },
    );
    app.get<{ Params: { id: string }; Querystring: { limit?: string } }>(
      '/conversations/:id/messages',
      async (req) => {
        const { rows } = await pool.query<MessageRow>(
          `select id, conversation_id, content, created_at from bench_baseline.messages_plain
         where conversation_id = $1 order by id limit $2`,
          [req.params.id, Number(req.query.limit ?? 50)],
        );
        return { items: rows.map(view), next_cursor: null };
      },
    );
    // No authentication here: the session scenarios send the same requests.
    return await listening(app, { post, read, sessionPost: post, sessionRead: read }, () =>
      pool.end(),
    );
  } catch (error) {
    await app.close();
    await pool.end();
    throw error;
  }
}

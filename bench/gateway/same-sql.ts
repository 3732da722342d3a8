/**
 * The gateway's "same SQL" reference: what one call costs with nothing of
 * Wardroom's in the way but its database work. In the Wardroom process, one
 * real call per workspace is recorded (every statement the pg clients send,
 * with its values, in order, the closing transaction included); a bare
 * node:http server then answers each request by replaying that
 * workspace's statements as the app role, as named prepared statements
 * (RLS, triggers and the audit chain all fire), with a fresh call id in
 * place of the recorded one: the transactions before the call, the upstream
 * call itself (the same body, forwarded with fetch and piped back), then
 * the closing transaction after the answer, as the gateway does. No
 * Fastify, no schemas, no key opening, no Kysely, no cost arithmetic.
 *
 * Wardroom's added latency minus this leg's is what Wardroom's own code
 * costs; this leg's added latency is what its database work costs.
 */
import { createHash, randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { recordSent, type SentStatement } from '../statements.js';

/** One workspace's recorded call: its transactions before the upstream call and after it. */
export interface CallPlan {
  readonly callId: string;
  readonly before: readonly (readonly SentStatement[])[];
  readonly after: readonly (readonly SentStatement[])[];
}

/**
 * Records the statements `call` sends (nothing else may query meanwhile),
 * and splits them into transactions: those before the one that settles the
 * reservation ran before the upstream call; that one and any after it ran
 * after the answer.
 */
export async function recordCall(call: () => Promise<string>): Promise<CallPlan> {
  const { result: callId, sent } = await recordSent(call);
  const transactions: SentStatement[][] = [];
  let open: SentStatement[] | undefined;
  for (const s of sent) {
    const verb = s.text.trim().toLowerCase();
    if (verb === 'begin') open = [];
    open?.push(s);
    if ((verb === 'commit' || verb === 'rollback') && open !== undefined) {
      transactions.push(open);
      open = undefined;
    }
  }
  const settles = transactions.findIndex((tx) =>
    tx.some((s) => /update\s+llm_usage\s+set\s+status\s*=\s*'settled'/i.test(s.text)),
  );
  if (settles < 0) throw new Error('the recorded call has no settling transaction');
  return { callId, before: transactions.slice(0, settles), after: transactions.slice(settles) };
}

function named(text: string): string {
  return `same_sql_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

async function replay(
  pool: pg.Pool,
  transaction: readonly SentStatement[],
  recorded: string,
  fresh: string,
): Promise<void> {
  const client = await pool.connect();
  try {
    for (const s of transaction) {
      const values = s.values.map((v) => (v === recorded ? fresh : v));
      await client.query({ name: named(s.text), text: s.text, values });
    }
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The reference server: `plans` by workspace id (the path's), the upstream's
 * chat completions URL. Answers on 127.0.0.1 at the port it resolves with.
 */
export async function startSameSql(options: {
  readonly appUrl: string;
  readonly poolMax: number;
  readonly plans: ReadonlyMap<string, CallPlan>;
  readonly upstreamUrl: string;
}): Promise<{ port: number; close(): Promise<void> }> {
  const pool = new pg.Pool({
    connectionString: options.appUrl,
    max: options.poolMax,
    options: '-c search_path=wardroom,pg_catalog,pg_temp',
  });
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ws = /\/workspaces\/([0-9a-f-]{36})\//.exec(req.url ?? '')?.[1] ?? '';
    const plan = options.plans.get(ws);
    const body = await bodyOf(req);
    if (plan === undefined) {
      res.writeHead(404).end();
      return;
    }
    const fresh = randomUUID();
    for (const tx of plan.before) await replay(pool, tx, plan.callId, fresh);
    const upstream = await fetch(options.upstreamUrl, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-same-sql', 'content-type': 'application/json' },
      body,
    });
    res.writeHead(upstream.status, {
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
    });
    if (upstream.body !== null) {
      for await (const chunk of upstream.body) res.write(chunk);
    }
    res.end();
    for (const tx of plan.after) await replay(pool, tx, plan.callId, fresh);
  };
  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}

/**
 * Asking an agent in a conversation: `POST …/conversations/{id}/runs`
 * `{agent_id, content}` stores the member's question, runs the agent through
 * the gateway (modules/agents/runs.ts, `startRun`) and streams the reply as
 * server-sent events.
 *
 * Unlike the declared workspace routes, this one holds no transaction while
 * it runs (the upstream call can last minutes): the caller (token or
 * session, CSRF-checked) is verified in one short transaction, then
 * `startRun` commits the question and the run, calls the gateway and writes
 * the reply in transactions of its own. Anything refused before the gateway
 * accepts the call (bad input, unknown or archived agent, another
 * workspace's conversation, budget, region, key) is an ordinary JSON error
 * with its stable code; once accepted, the answer is `text/event-stream`:
 *
 * - `run`   `{run_id, question_message_id, call_id}`, first;
 * - `delta` `{text}`, each piece of the reply as it arrives;
 * - `done`  `{run, reply_message}`: the run (status, usage, cost) and the stored reply;
 * - `error` `{code, message, run}`: the run failed after it started.
 *
 * A client that disconnects aborts the run: the gateway closes the upstream
 * connection, and the run ends `cancelled` with no reply stored.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../base/errors.js';
import type { Database } from '../db/database.js';
import { toAppError } from '../http/error-handler.js';
import { getRun, startRun, type RunOutcome, type RunStarted } from '../modules/agents/index.js';
import {
  GATEWAY_ERROR_CODES,
  REQUEST_SHAPE_CODES,
  type Gateway,
  type PriceBook,
} from '../modules/gateway/index.js';
import type { Keyring } from '../modules/keys/index.js';
import { authorize } from '../modules/tenancy/index.js';
import { requestCredential } from './auth.js';
import { admit, type Limits } from './limits.js';
import { requestCaller, type SessionSupport } from './register-route.js';

export const RUNS_URL = '/api/v1/workspaces/:ws/conversations/:id/runs';

/** Members and up ask agents; a viewer spends no money. */
const ACCESS = { kind: 'role', role: 'member' } as const;

/** A run builds the provider body itself, so the request-shape refusals are not its callers'. */
const ERROR_CODES: readonly ErrorCode[] = [
  'unauthenticated',
  'forbidden',
  'not_found',
  'validation_failed',
  ...GATEWAY_ERROR_CODES.filter(
    (code) => !(REQUEST_SHAPE_CODES as readonly string[]).includes(code),
  ),
];

const params = z.strictObject({ ws: z.uuid(), id: z.uuid() });
const body = z.strictObject({
  agent_id: z.uuid(),
  content: z
    .string()
    .min(1)
    .max(100_000)
    .describe("The member's question, stored as their message"),
});
const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export interface RunRouteDeps {
  readonly db: Pick<Database, 'withTenant'>;
  readonly keyring: Keyring;
  readonly gateway: Gateway;
  readonly prices: PriceBook;
  readonly limits: Limits;
  readonly sessions: SessionSupport | undefined;
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function runSchema(): FastifySchema & { security: unknown } {
  return {
    summary: 'Ask an agent in a conversation; the reply streams as server-sent events',
    description:
      `Requires the ${ACCESS.role} role or higher. Stores the question as the caller's ` +
      'message, runs the agent through the LLM gateway and answers `text/event-stream`: ' +
      '`run` {run_id, question_message_id, call_id}, then `delta` {text} as the reply ' +
      'arrives, then `done` {run, reply_message} or `error` {code, message, run}. The reply ' +
      'is stored as a sealed message by the agent. A refusal before the gateway accepts ' +
      'the call is a JSON error (the run, when one was created, is `failed` with that code). ' +
      'Closing the connection cancels the run and the upstream call. ' +
      `Error codes: ${ERROR_CODES.join(', ')}.`,
    tags: ['agents'],
    security: [{ bearer: [] }, { session: [] }],
    params,
    body,
    response: {
      200: {
        description: 'The run, streamed',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      ...Object.fromEntries(
        [400, 401, 402, 403, 404, 413, 429, 502, 503, 504].map((s) => [s, errorBody]),
      ),
    },
  };
}

export function registerRunRoutes(app: FastifyInstance, deps: RunRouteDeps): void {
  app.route({
    method: 'POST',
    url: RUNS_URL,
    config: { access: ACCESS },
    schema: runSchema(),
    onRequest: (request, reply, done) => {
      void reply.header('cache-control', 'no-store');
      const secure = request.protocol === 'https';
      request.credential = requestCredential(
        request,
        deps.sessions === undefined ? undefined : { secure },
      );
      done();
    },
    handler: async (request, reply) => handle(request, reply, deps),
  });
}

async function handle(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: RunRouteDeps,
): Promise<FastifyReply> {
  const caller = await requestCaller(request, true, deps.sessions);
  const { principal } = caller;
  const member = await deps.db.withTenant(principal, async (tx) => {
    const verified = await caller.verify(tx);
    authorize(verified, ACCESS);
    return verified;
  });
  const input = request.body as z.infer<typeof body>;
  const { id: conversationId } = request.params as z.infer<typeof params>;
  const credential = request.credential;
  const tokenId = credential?.kind === 'token' ? credential.token.tokenId : null;
  const release = admit(deps.limits.requests, principal.tenantId, reply, 'requests');

  // The client going away aborts the run, and with it the upstream call.
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  const stream = new PassThrough();
  const write = (text: string): void => {
    if (!stream.destroyed && !stream.writableEnded) stream.write(text);
  };
  let onStarted: (started: RunStarted) => void = () => undefined;
  const started = new Promise<RunStarted>((resolve) => (onStarted = resolve));
  const run = startRun(
    { db: deps.db, keyring: deps.keyring, gateway: deps.gateway, prices: deps.prices },
    {
      principal,
      member: { userId: member.userId, tokenId },
      conversationId,
      agentId: input.agent_id,
      content: input.content,
      signal: controller.signal,
      // The `run` event goes first, before any `delta` the same tick may bring.
      onStart: (s) => {
        write(
          frame('run', {
            run_id: s.runId,
            question_message_id: s.questionMessageId,
            call_id: s.callId,
          }),
        );
        onStarted(s);
      },
      onText: (text) => write(frame('delta', { text })),
    },
  );
  let first: { started: RunStarted } | { outcome: RunOutcome };
  try {
    first = await Promise.race([
      started.then((s) => ({ started: s })),
      run.then((outcome) => ({ outcome })),
    ]);
  } catch (error) {
    release();
    throw error;
  }
  if ('outcome' in first) {
    release();
    // Refused before the gateway accepted the call: a plain error.
    throw first.outcome.error ?? new AppError('internal', 'The run failed');
  }
  void finish(run, stream, deps, principal, conversationId).finally(release);
  return reply
    .status(200)
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('x-accel-buffering', 'no')
    .send(stream);
}

/** Waits for the run's end and closes the stream with `done` or `error`. */
async function finish(
  run: Promise<RunOutcome>,
  stream: PassThrough,
  deps: RunRouteDeps,
  principal: Parameters<RunRouteDeps['db']['withTenant']>[0],
  conversationId: string,
): Promise<void> {
  try {
    const outcome = await run;
    if (stream.destroyed) return;
    const view = await deps.db.withTenant(principal, (tx) =>
      getRun(tx, conversationId, outcome.runId),
    );
    if (outcome.status === 'succeeded') {
      stream.end(
        frame('done', {
          run: view,
          reply_message: {
            id: outcome.replyMessageId,
            conversation_id: conversationId,
            author_type: 'agent',
            author_id: view.agent_id,
            content: outcome.reply,
            created_at: view.finished_at,
          },
        }),
      );
    } else {
      const error = toAppError(outcome.error ?? new AppError('internal', 'The run failed'));
      const message = error.isExposable ? error.message : 'Internal error';
      stream.end(frame('error', { code: error.code, message, run: view }));
    }
  } catch (error) {
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}

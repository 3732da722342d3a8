/**
 * The provider-compatible endpoints: the official SDKs, given
 * `…/api/v1/workspaces/{ws}/llm` (Anthropic) or `…/llm/v1` (OpenAI) as their
 * base URL and a Wardroom API token as their key, work unchanged.
 *
 * Unlike the other workspace routes, these hold no transaction while they
 * run: the token is verified in one short transaction, then the gateway
 * (keys, routing, budget, cache, provider, audit) runs its own steps, and
 * the upstream may take minutes. Accepted credentials: `Authorization:
 * Bearer wr_…` (the OpenAI SDK) and, on these routes only, `x-api-key:
 * wr_…` (the Anthropic SDK); no session cookies. Errors are in the
 * provider's JSON shape with the Wardroom code as `error.code`; streams are
 * forwarded as server-sent events. A client that disconnects aborts the
 * upstream call.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import { z } from 'zod';
import { AppError } from '../base/errors.js';
import type { Database } from '../db/database.js';
import { toAppError } from '../http/error-handler.js';
import {
  anthropicError,
  anthropicErrorBody,
  GATEWAY_ERROR_CODES,
  openaiError,
  openaiErrorBody,
  type Gateway,
  type Operation,
  type StreamEvent,
} from '../modules/gateway/index.js';
import { authorize, type ParsedToken } from '../modules/tenancy/index.js';
import { authenticate, presentedToken, requestPrincipal } from './auth.js';
import { admit, type Limits } from './limits.js';

type Format = 'anthropic' | 'openai';

interface LlmRoute {
  readonly path: string;
  readonly operation: Operation;
  readonly format: Format;
  readonly summary: string;
  readonly streams: boolean;
}

const BASE = '/api/v1/workspaces/:ws/llm';

export const LLM_ROUTES: readonly LlmRoute[] = [
  {
    path: `${BASE}/v1/messages`,
    operation: 'anthropic.messages',
    format: 'anthropic',
    summary: 'Anthropic-compatible Messages API through the gateway',
    streams: true,
  },
  {
    path: `${BASE}/v1/chat/completions`,
    operation: 'openai.chat_completions',
    format: 'openai',
    summary: 'OpenAI-compatible Chat Completions through the gateway',
    streams: true,
  },
  {
    path: `${BASE}/v1/responses`,
    operation: 'openai.responses',
    format: 'openai',
    summary: 'OpenAI-compatible Responses API through the gateway',
    streams: true,
  },
  {
    path: `${BASE}/v1/embeddings`,
    operation: 'openai.embeddings',
    format: 'openai',
    summary: 'OpenAI-compatible Embeddings through the gateway',
    streams: false,
  },
];

/** The role a caller needs: members and up (a viewer spends no money). */
const ROLE = 'member';

const ERROR_CODES = [
  'unauthenticated',
  'forbidden',
  'not_found',
  'validation_failed',
  ...GATEWAY_ERROR_CODES,
] as const;

const passthrough = z
  .record(z.string(), z.unknown())
  .describe("The provider's own request body, forwarded as sent (`model` required)");

function errorBodyOf(format: Format, error: AppError): Record<string, unknown> {
  return format === 'anthropic' ? anthropicError(error) : openaiError(error);
}

/** The Wardroom token: `Authorization: Bearer`, else `x-api-key` (the Anthropic SDK's header). */
function llmToken(request: FastifyRequest): ParsedToken {
  const token = presentedToken(request.headers);
  if (token === undefined) {
    throw new AppError(
      'unauthenticated',
      'Send a Wardroom API token: Authorization: Bearer wr_… or x-api-key: wr_…',
    );
  }
  return token;
}

function sseFrame(event: string | undefined, data: string): string {
  const lines = data.split('\n').map((line) => `data: ${line}`);
  return `${event === undefined ? '' : `event: ${event}\n`}${lines.join('\n')}\n\n`;
}

/** The events as SSE text; a failure after the first byte becomes the provider's error event. */
async function* sseBody(
  events: AsyncIterable<StreamEvent>,
  format: Format,
): AsyncGenerator<string> {
  try {
    for await (const e of events) yield sseFrame(e.event, e.data);
  } catch (error) {
    const appError = toAppError(error);
    const body = JSON.stringify(errorBodyOf(format, appError));
    yield sseFrame(format === 'anthropic' ? 'error' : undefined, body);
  }
}

function llmRouteSchema(
  route: LlmRoute,
  errorSchema: z.ZodType,
): FastifySchema & { security: unknown } {
  return {
    summary: route.summary,
    description:
      `Requires the ${ROLE} role or higher. Authenticate with a Wardroom API token as ` +
      '`Authorization: Bearer wr_…` or `x-api-key: wr_…`. The body is the provider’s own, ' +
      'forwarded after the gateway’s checks; the answer is the provider’s (JSON, or ' +
      '`text/event-stream` when the body says `"stream": true`), with the call id in ' +
      '`x-wardroom-call-id`. Errors use the provider’s error shape, the Wardroom code in ' +
      `\`error.code\`: ${ERROR_CODES.join(', ')}.`,
    tags: ['llm'],
    security: [{ bearer: [] }, { llmApiKey: [] }],
    params: z.object({ ws: z.string() }),
    body: passthrough,
    response: {
      200: {
        description: "The provider's answer",
        content: {
          'application/json': { schema: z.record(z.string(), z.unknown()) },
          ...(route.streams ? { 'text/event-stream': { schema: z.string() } } : {}),
        },
      },
      ...Object.fromEntries(
        [400, 401, 402, 403, 404, 413, 429, 502, 503, 504].map((s) => [s, errorSchema]),
      ),
    },
  };
}

export function registerLlmRoutes(
  app: FastifyInstance,
  db: Pick<Database, 'withTenant'>,
  gateway: Gateway,
  limits: Limits,
): void {
  for (const route of LLM_ROUTES) {
    const errorSchema = route.format === 'anthropic' ? anthropicErrorBody : openaiErrorBody;
    app.route({
      method: 'POST',
      url: route.path,
      config: { access: { kind: 'role', role: ROLE } },
      schema: llmRouteSchema(route, errorSchema),
      errorHandler: (error, request, reply) => {
        const appError = toAppError(error);
        if (!appError.isExposable) {
          request.log.error({ err: error, code: appError.code }, 'LLM request failed');
        }
        // A budget's per-minute limit and an upstream's 429 both say when to come back.
        const retryAfter = appError.details?.['retryAfterSeconds'];
        if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
        void reply
          .status(appError.status)
          .header('cache-control', 'no-store')
          .type('application/json')
          .send(JSON.stringify(errorBodyOf(route.format, appError)));
      },
      handler: async (request, reply) => handle(route, request, reply, { db, gateway, limits }),
    });
  }
}

async function handle(
  route: LlmRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  deps: { db: Pick<Database, 'withTenant'>; gateway: Gateway; limits: Limits },
): Promise<FastifyReply> {
  void reply.header('cache-control', 'no-store');
  const token = llmToken(request);
  const { ws } = request.params as { ws: string };
  // Another workspace's id answers exactly like a missing one, before anything runs.
  if (ws.toLowerCase() !== token.tenantId) throw new AppError('not_found', 'Workspace not found');
  const principal = requestPrincipal(token, request);
  const member = await deps.db.withTenant(principal, (tx) => authenticate(tx, token));
  authorize(member, { kind: 'role', role: ROLE });
  const taken = admit(deps.limits.requests, token.tenantId, reply, 'requests');
  let released = false;
  const release = (): void => {
    if (!released) taken();
    released = true;
  };
  // The client going away aborts the upstream call.
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  const credentialHeader = request.headers['x-wardroom-credential-id'];
  let streaming = false;
  try {
    const { callId, result } = await deps.gateway.call({
      scope: { workspaceId: token.tenantId, userId: member.userId, tokenId: token.tokenId },
      operation: route.operation,
      body: request.body as Record<string, unknown>,
      signal: controller.signal,
      ip: request.ip,
      ...(typeof credentialHeader === 'string' ? { credentialId: credentialHeader } : {}),
    });
    void reply.header('x-wardroom-call-id', callId);
    if (result.kind === 'json') {
      return await reply.status(200).type('application/json').send(JSON.stringify(result.body));
    }
    // The slot is held until the stream's body closes (ended, or cut by the client).
    const body = Readable.from(sseBody(result.events, route.format), { objectMode: false });
    body.on('close', release);
    streaming = true;
    return await reply
      .status(200)
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('x-accel-buffering', 'no')
      .send(body);
  } finally {
    if (!streaming) release();
  }
}

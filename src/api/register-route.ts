/**
 * Turns a declared workspace route into a Fastify route. Each request is
 * one tenant transaction: token check, role check and handler commit or roll
 * back together, so a failed request leaves no partial write. A streamed
 * body is written from inside the transaction and ends only after commit.
 * Every answer of these routes, errors included, is `Cache-Control:
 * no-store`: they carry decrypted content and workspace data, which no
 * browser or intermediary cache may keep. Every request takes one of its
 * workspace's request slots, and a streamed one also a stream slot, for as
 * long as it runs (limits.ts).
 */
import type { ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../base/errors.js';
import type { Database, Lane } from '../db/database.js';
import { routeSchema } from '../http/route-schema.js';
import { sendStreamed, StreamedBody, streamedContentTypes } from '../http/streamed.js';
import { userPrincipal, type Principal } from '../db/principal.js';
import type { TenantTx } from '../db/tenant-tx.js';
import { sessionMember, type Session } from '../modules/auth/index.js';
import { enforceSsoPolicy } from '../modules/sso/index.js';
import {
  authorize,
  describeAccess,
  type Member,
  type WorkspaceRoute,
} from '../modules/tenancy/index.js';
import {
  authenticate,
  checkCsrf,
  requestCredential,
  requestPrincipal,
  type Credential,
} from './auth.js';
import { admit, type Limits } from './limits.js';

const STREAMED = Symbol('streamed');

/** Browser sessions, when the server accepts them (api/server.ts). */
export interface SessionSupport {
  resolve(token: string): Promise<Session>;
  /** WARDROOM_PUBLIC_URL's origin, also accepted as a request's Origin. */
  readonly publicOrigin?: string | undefined;
}

export function registerRoute(
  app: FastifyInstance,
  db: Pick<Database, 'withTenant'>,
  route: WorkspaceRoute,
  limits: Limits,
  sessions?: SessionSupport,
): void {
  const isWorkspaceRoute = route.url.includes(':ws');
  // A streamed response holds its transaction for the whole download: it
  // runs on the stream lane, within the stream slots.
  const lane: Lane = streamedContentTypes(route.response) === undefined ? 'request' : 'stream';
  app.route({
    method: route.method,
    url: route.url,
    config: { access: route.access },
    schema: {
      ...routeSchema(route, describeAccess(route.access)),
      // A workspace route also takes a signed-in session when the server accepts them.
      security:
        sessions === undefined || !isWorkspaceRoute
          ? [{ bearer: [] }]
          : [{ bearer: [] }, { session: [] }],
    },
    onRequest: (request, reply, done) => {
      void reply.header('cache-control', 'no-store');
      const secure = request.protocol === 'https';
      request.credential = requestCredential(
        request,
        sessions === undefined ? undefined : { secure },
      );
      done();
    },
    handler: async (request, reply) => {
      const caller = await requestCaller(request, isWorkspaceRoute, sessions);
      const releases = [admit(limits.requests, caller.principal.tenantId, reply, 'requests')];
      try {
        if (lane === 'stream') {
          releases.push(admit(limits.streams, caller.principal.tenantId, reply, 'downloads'));
          if (limits.streamIdleTimeoutMs > 0) cutWhenIdle(reply.raw, limits.streamIdleTimeoutMs);
        }
        return await respond({ db, route, lane }, request, reply, caller);
      } finally {
        for (const release of releases) release();
      }
    },
  });
}

/** Who calls: the principal to open the transaction with, and how to verify them inside it. */
export interface Caller {
  readonly principal: Principal;
  verify(tx: TenantTx): Promise<Member>;
}

/**
 * A token must name the workspace in the path (else 404, as for a missing
 * one). A session is resolved (401 when gone), CSRF-checked on changes, and
 * its person must be a member of the path's workspace (checked inside the
 * transaction: 404 otherwise); a route without a workspace needs a token.
 */
export async function requestCaller(
  request: FastifyRequest,
  isWorkspaceRoute: boolean,
  sessions: SessionSupport | undefined,
): Promise<Caller> {
  const credential = request.credential;
  if (credential === undefined) throw new AppError('unauthenticated', 'Missing token');
  const params = request.params as { ws?: string };
  if (credential.kind === 'token') {
    const { token } = credential;
    // UUIDs are case-insensitive; the token's tenant id is always lower case.
    if (isWorkspaceRoute && params.ws?.toLowerCase() !== token.tenantId) {
      throw new AppError('not_found', 'Workspace not found');
    }
    return { principal: requestPrincipal(token, request), verify: (tx) => authenticate(tx, token) };
  }
  if (sessions === undefined || !isWorkspaceRoute || params.ws === undefined) {
    throw new AppError('unauthenticated', 'This route needs an API token');
  }
  const session = await sessions.resolve(credential.sessionToken);
  checkCsrf(request, session.csrfToken, sessions.publicOrigin);
  const userAgent = request.headers['user-agent'];
  const principal = userPrincipal(params.ws.toLowerCase(), session.userId, {
    correlationId: request.id,
    ip: request.ip,
    ...(userAgent === undefined ? {} : { userAgent }),
  });
  return {
    principal,
    verify: async (tx) => {
      const membership = await sessionMember(tx, session.userId);
      // A workspace that requires SSO takes only its own SSO sessions (owners aside, audited).
      await enforceSsoPolicy(tx, principal.tenantId, session.method, membership);
      return membership.member;
    },
  };
}

/** Runs the handler in the request's tenant transaction and sends its answer. */
async function respond(
  on: { db: Pick<Database, 'withTenant'>; route: WorkspaceRoute; lane: Lane },
  request: FastifyRequest,
  reply: FastifyReply,
  caller: Caller,
): Promise<FastifyReply> {
  const { route } = on;
  const { principal } = caller;
  // `response` is the stream the reply reads, ended only after the commit.
  const stream: { response?: PassThrough } = {};
  let result: unknown;
  try {
    result = await on.db.withTenant(
      principal,
      async (tx) => {
        const member = await caller.verify(tx);
        authorize(member, route.access);
        const value: unknown = await route.handler(
          { tx, member, principal },
          { params: request.params, query: request.query, body: request.body },
        );
        if (!(value instanceof StreamedBody)) return value;
        stream.response = new PassThrough();
        await sendStreamed(reply.status(route.status), value, stream.response);
        return STREAMED;
      },
      on.lane,
    );
  } catch (error) {
    if (stream.response === undefined) throw error;
    // Nothing sent yet: Fastify answers with the error handler's body.
    // Bytes already sent: Fastify cuts the connection, so a partial file
    // never looks complete.
    if (!reply.raw.headersSent) {
      reply.removeHeader('content-type').removeHeader('content-disposition');
    }
    stream.response.destroy(error instanceof Error ? error : new Error(String(error)));
    return reply;
  }
  if (result !== STREAMED) {
    // Committed: work that needs the change to be durable runs now.
    if (route.afterCommit !== undefined) result = await route.afterCommit(result);
    return reply.status(route.status).send(route.status === 204 ? undefined : result);
  }
  // Committed: only now does the download end.
  if (stream.response?.destroyed === false) stream.response.end();
  return reply;
}

/**
 * Cuts a download whose client has read nothing for `ms`: with the socket's
 * buffers full, no byte moves, the socket times out, and destroying the
 * response stops the export writer (its transaction then commits the
 * partial download's event and frees the slot).
 */
function cutWhenIdle(response: ServerResponse, ms: number): void {
  response.setTimeout(ms, () => response.destroy());
}

declare module 'fastify' {
  interface FastifyRequest {
    credential?: Credential;
  }
}

/**
 * Turns a declared workspace route into a Fastify route. Each request is
 * one tenant transaction: token check, role check and handler commit or roll
 * back together, so a failed request leaves no partial write. A streamed
 * body is written from inside the transaction and ends only after commit.
 * Every answer of these routes, errors included, is `Cache-Control:
 * no-store`: they carry decrypted content and workspace data, which no
 * browser or intermediary cache may keep.
 */
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../base/errors.js';
import type { Database } from '../db/database.js';
import { routeSchema } from '../http/route-schema.js';
import { sendStreamed, StreamedBody } from '../http/streamed.js';
import { authorize, describeAccess, type WorkspaceRoute } from '../modules/tenancy/index.js';
import { authenticate, parseBearer, requestPrincipal } from './auth.js';

const STREAMED = Symbol('streamed');

export function registerRoute(
  app: FastifyInstance,
  db: Pick<Database, 'withTenant'>,
  route: WorkspaceRoute,
): void {
  const isWorkspaceRoute = route.url.includes(':ws');
  app.route({
    method: route.method,
    url: route.url,
    config: { access: route.access },
    schema: routeSchema(route, describeAccess(route.access)),
    onRequest: (request, reply, done) => {
      void reply.header('cache-control', 'no-store');
      request.token = parseBearer(request.headers.authorization);
      done();
    },
    handler: async (request, reply) => {
      const token = request.token;
      if (token === undefined) throw new AppError('unauthenticated', 'Missing token');
      const params = request.params as { ws?: string };
      // UUIDs are case-insensitive; the token's tenant id is always lower case.
      if (isWorkspaceRoute && params.ws?.toLowerCase() !== token.tenantId) {
        throw new AppError('not_found', 'Workspace not found');
      }
      const principal = requestPrincipal(token, request);
      // `response` is the stream the reply reads, ended only after the commit.
      const stream: { response?: PassThrough } = {};
      let result: unknown;
      try {
        result = await db.withTenant(principal, async (tx) => {
          const member = await authenticate(tx, token);
          authorize(member, route.access);
          const value: unknown = await route.handler(
            { tx, member, principal },
            { params: request.params, query: request.query, body: request.body },
          );
          if (!(value instanceof StreamedBody)) return value;
          stream.response = new PassThrough();
          await sendStreamed(reply.status(route.status), value, stream.response);
          return STREAMED;
        });
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
        return reply.status(route.status).send(route.status === 204 ? undefined : result);
      }
      // Committed: only now does the download end.
      if (stream.response?.destroyed === false) stream.response.end();
      return reply;
    },
  });
}

/**
 * HTTP assembly: Fastify with zod schemas, generated OpenAPI, the error
 * mapping, and every module's declared routes. Each authenticated request is
 * one tenant transaction: token check, role check and handler commit or roll
 * back together, so a failed request leaves no partial write.
 */
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, errorStatus } from '../base/errors.js';
import { auditRoutes } from '../modules/audit/routes.js';
import { credentialRoutes } from '../modules/credentials/routes.js';
import { keyRoutes } from '../modules/keys/routes.js';
import { tenancyRoutes } from '../modules/tenancy/routes.js';
import { workroomRoutes } from '../modules/workrooms/routes.js';
import { authenticate, authorize, describeAccess, parseBearer } from './auth.js';
import { errorHandler } from '../http/error-handler.js';
import type { Access, AppDeps, RouteDef } from '../http/route.js';
import { StreamedBody, streamedContentTypes } from '../http/streamed.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every registered route with its declared access rule (for the access test). */
    readonly declaredRoutes: readonly DeclaredRoute[];
  }
}

export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: Access;
}

export interface ServerOptions {
  readonly bodyLimit: number;
  readonly logger: FastifyBaseLogger;
}

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

export async function buildServer(deps: AppDeps, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    exposeHeadRoutes: false,
  });
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  // The API speaks JSON only: a text/plain body is 415, not a string handed to validation.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((_req, reply) => {
    void reply.status(404).send({ error: { code: 'not_found', message: 'Not found' } });
  });
  app.addHook('onRoute', (route) => {
    const access = route.config?.access;
    if (access === undefined) {
      throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule`);
    }
    declared.push({ method: String(route.method), url: route.url, access });
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-correlation-id', request.id);
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Wardroom API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });

  app.get(
    '/healthz',
    { config: { access: { kind: 'public' } }, schema: { hide: true } },
    async () => {
      await deps.db.ping();
      return { status: 'ok' };
    },
  );
  // The public half of the audit checkpoint key, so anyone can check a checkpoint.
  const auditKey = deps.auditSigner;
  if (auditKey !== undefined) {
    app.get(
      '/.well-known/wardroom-audit-key',
      { config: { access: { kind: 'public' } }, schema: { hide: true } },
      () => ({ key_id: auditKey.keyId, algorithm: 'Ed25519', public_key: auditKey.publicKey }),
    );
  }
  for (const route of [
    ...tenancyRoutes,
    ...workroomRoutes,
    ...auditRoutes,
    ...credentialRoutes,
    ...keyRoutes,
    openApiRoute(app),
  ]) {
    registerRoute(app, deps, route);
  }
  return app;
}

function registerRoute(app: FastifyInstance, deps: AppDeps, route: RouteDef): void {
  const isWorkspaceRoute = route.url.includes(':ws');
  const codes = new Set([
    ...route.errors,
    'unauthenticated',
    'validation_failed',
    'forbidden',
    'not_found',
  ] as const);
  const errorResponses = Object.fromEntries([...codes].map((c) => [errorStatus[c], errorBody]));
  const streamTypes = streamedContentTypes(route.response);
  const success =
    streamTypes === undefined
      ? route.response
      : {
          description: `A file download (${streamTypes.join(' or ')}), streamed`,
          content: Object.fromEntries(streamTypes.map((type) => [type, { schema: z.string() }])),
        };
  app.route({
    method: route.method,
    url: route.url,
    config: { access: route.access },
    schema: {
      summary: route.summary,
      description: `${describeAccess(route.access)} Error codes: ${[...codes].join(', ')}.`,
      tags: [...route.tags],
      security: [{ bearer: [] }],
      params: route.params,
      ...(route.query === undefined ? {} : { querystring: route.query }),
      ...(route.body === undefined ? {} : { body: route.body }),
      response: { ...errorResponses, [route.status]: success },
    },
    onRequest: (request, _reply, done) => {
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
      const principal = {
        tenantId: token.tenantId,
        actorType: 'api_token' as const,
        actorId: token.tokenId,
        correlationId: request.id,
        ip: request.ip,
        ...(request.headers['user-agent'] === undefined
          ? {}
          : { userAgent: request.headers['user-agent'] }),
      };
      // A streamed body is sent from inside the transaction; `response` is
      // the stream the reply reads, ended only after the commit.
      const stream: { response?: PassThrough } = {};
      let result: unknown;
      try {
        result = await deps.db.withTenant(principal, async (tx) => {
          const member = await authenticate(tx, token);
          authorize(member, route.access);
          const value: unknown = await route.handler(
            { tx, member, principal, deps },
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

const STREAMED = Symbol('streamed');

/**
 * Runs a StreamedBody's writer inside the request's open transaction. The
 * writer fills `sink`, which is piped (with backpressure) into `response`,
 * the stream the reply sends; `response` is not ended here but by the caller
 * once the transaction has committed, so a download that completes means
 * its audit events committed. Resolves when every byte has reached
 * `response`. A client that goes away mid-stream destroys `response`; the
 * writer is then stopped (its database cursor closes) and this resolves, so
 * the events recording the (partial) download still commit. Any other
 * failure rejects, and the transaction rolls back.
 */
async function sendStreamed(
  reply: FastifyReply,
  body: StreamedBody,
  response: PassThrough,
): Promise<void> {
  const sink = new PassThrough();
  // Only Fastify destroys `response` before it is ended: the client is gone.
  const clientGone = (): boolean => response.destroyed && !response.writableEnded;
  response.once('close', () => {
    if (clientGone()) sink.destroy();
  });
  sink.pipe(response, { end: false });
  void reply
    .header('content-type', body.contentType)
    .header('content-disposition', `attachment; filename="${body.filename}"`)
    .header('cache-control', 'no-store')
    .send(response);
  try {
    await body.write(sink);
    if (!sink.writableEnded) sink.end();
    await finished(sink);
  } catch (error) {
    if (!clientGone()) throw error;
    reply.log.info({ err: error }, 'client closed a streamed response early');
  }
}

function openApiRoute(app: FastifyInstance): RouteDef {
  return {
    method: 'GET',
    url: '/api/v1/openapi.json',
    summary: 'The OpenAPI document of this API',
    tags: ['meta'],
    access: { kind: 'token' },
    params: z.strictObject({}),
    status: 200,
    response: z.record(z.string(), z.unknown()),
    errors: [],
    handler: () => Promise.resolve(app.swagger() as unknown as Record<string, unknown>),
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    token?: import('../modules/tenancy/token-format.js').ParsedToken;
  }
}

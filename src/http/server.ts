/**
 * HTTP assembly: Fastify with zod schemas, generated OpenAPI, the error
 * mapping, and every module's declared routes. Each authenticated request is
 * one tenant transaction: token check, role check and handler commit or roll
 * back together, so a failed request leaves no partial write.
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, errorStatus } from '../errors.js';
import { tenancyRoutes } from '../modules/tenancy/routes.js';
import { workroomRoutes } from '../modules/workrooms/routes.js';
import { authenticate, authorize, describeAccess, parseBearer } from './auth.js';
import { errorHandler } from './error-handler.js';
import type { Access, AppDeps, RouteDef } from './route.js';

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
  for (const route of [...tenancyRoutes, ...workroomRoutes, openApiRoute(app)]) {
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
      response: { ...errorResponses, [route.status]: route.response },
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
      };
      const result = await deps.db.withTenant(principal, async (tx) => {
        const member = await authenticate(tx, token);
        authorize(member, route.access);
        return route.handler(
          { tx, member, principal, deps },
          { params: request.params, query: request.query, body: request.body },
        );
      });
      return reply.status(route.status).send(route.status === 204 ? undefined : result);
    },
  });
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

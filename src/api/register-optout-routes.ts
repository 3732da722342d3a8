/**
 * Turns the public opt-out routes (modules/contacts) into Fastify routes,
 * limited per client address and per email address (hashed: the key may
 * reach Redis), start and confirm sharing the counters; 429 with
 * Retry-After. Every answer is `Cache-Control: no-store`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../base/errors.js';
import { routeSchema } from '../http/route-schema.js';
import {
  normaliseEmail,
  optOutRoutes,
  type OptOutDeps,
  type OptOutRoute,
} from '../modules/contacts/index.js';
import type { Limiter } from './register-account-route.js';

const HOUR = 3_600_000;

export interface OptOutLimits {
  readonly perIpPerHour: number;
  readonly perAddressPerHour: number;
}

export function registerOptOutRoutes(
  app: FastifyInstance,
  deps: OptOutDeps,
  limits: OptOutLimits,
): void {
  const limiters = optOutLimiters(app, limits);
  for (const route of optOutRoutes(deps)) registerOne(app, route, limiters);
}

function registerOne(app: FastifyInstance, route: OptOutRoute, limiters: readonly Limiter[]): void {
  app.route({
    method: route.method,
    url: route.url,
    config: { access: route.access },
    schema: { ...routeSchema(route, 'Public.'), security: [] },
    onRequest: (_request, reply, done) => {
      void reply.header('cache-control', 'no-store');
      done();
    },
    preHandler: async (request, reply) => {
      for (const limiter of limiters) {
        const result = await limiter(request);
        if (!result.isAllowed && result.isExceeded) {
          void reply.header('retry-after', String(result.ttlInSeconds));
          throw new AppError('rate_limited', 'Too many opt-out requests: retry later');
        }
      }
    },
    handler: async (request, reply) => {
      const value: unknown = await route.handler(
        {},
        { params: request.params, query: request.query, body: request.body },
      );
      return reply.status(route.status).send(value);
    },
  });
}

function optOutLimiters(app: FastifyInstance, limits: OptOutLimits): Limiter[] {
  const byIp = app.createRateLimit({
    max: limits.perIpPerHour,
    timeWindow: HOUR,
    keyGenerator: (request) => `optout-ip:${request.ip}`,
  });
  const byAddress = app.createRateLimit({
    max: limits.perAddressPerHour,
    timeWindow: HOUR,
    keyGenerator: (request) => {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      const address = typeof email === 'string' ? normaliseEmail(email) : '';
      return `optout-email:${createHash('sha256').update(address).digest('base64url')}`;
    },
  });
  return [byIp, byAddress];
}

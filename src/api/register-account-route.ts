/**
 * Turns a declared account route (modules/auth) into a Fastify route. A
 * `session` route resolves the session cookie first (401 without a live
 * one) and, for a change, checks CSRF (403 `csrf_failed`); the sign-in
 * routes are limited per client address and per email address (429 with
 * Retry-After). Every answer is `Cache-Control: no-store`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../base/errors.js';
import { routeSchema } from '../http/route-schema.js';
import {
  normalizeEmail,
  readSessionCookie,
  type AccountRoute,
  type Session,
} from '../modules/auth/index.js';
import { checkCsrf } from './auth.js';
import type { SessionSupport } from './register-route.js';

/** Sign-in attempts allowed per hour, per client address and per email address. */
export interface SignInLimits {
  readonly perIpPerHour: number;
  readonly perAddressPerHour: number;
}

const HOUR = 3_600_000;

export type Limiter = (
  request: FastifyRequest,
) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttlInSeconds: number }>;

export function registerAccountRoute(
  app: FastifyInstance,
  route: AccountRoute,
  sessions: SessionSupport,
  signInLimits: readonly Limiter[],
): void {
  // Start and verify share the counters: one attempt is one of either.
  const limiters = route.url.startsWith('/api/v1/auth/email/') ? signInLimits : [];
  app.route({
    method: route.method,
    url: route.url,
    config: { access: route.access },
    schema: {
      ...routeSchema(
        route,
        route.access.kind === 'session'
          ? 'Requires a signed-in session (cookie); changes also need X-CSRF-Token and a same-origin Origin.'
          : 'Public.',
      ),
      security: route.access.kind === 'session' ? [{ session: [] }] : [],
    },
    onRequest: (_request, reply, done) => {
      void reply.header('cache-control', 'no-store');
      done();
    },
    preHandler: async (request, reply) => {
      for (const limiter of limiters) {
        const result = await limiter(request);
        if (!result.isAllowed && result.isExceeded) {
          void reply.header('retry-after', String(result.ttlInSeconds));
          throw new AppError('rate_limited', 'Too many sign-in attempts: retry later');
        }
      }
    },
    handler: async (request, reply) => {
      const secure = request.protocol === 'https';
      const session =
        route.access.kind === 'session' ? await signedIn(request, sessions, secure) : undefined;
      const userAgent = request.headers['user-agent'];
      const value: unknown = await route.handler(
        {
          origin: {
            correlationId: request.id,
            ip: request.ip,
            ...(userAgent === undefined ? {} : { userAgent }),
          },
          session,
          secure,
          setCookie: (cookie) => void reply.header('set-cookie', cookie),
        },
        { params: request.params, query: request.query, body: request.body },
      );
      return send(reply, route.status, value);
    },
  });
}

function send(reply: FastifyReply, status: number, value: unknown): FastifyReply {
  return reply.status(status).send(status === 204 ? undefined : value);
}

async function signedIn(
  request: FastifyRequest,
  sessions: SessionSupport,
  secure: boolean,
): Promise<Session> {
  const token = readSessionCookie(request.headers.cookie, secure);
  if (token === undefined) throw new AppError('unauthenticated', 'Sign in first');
  const session = await sessions.resolve(token);
  checkCsrf(request, session.csrfToken, sessions.publicOrigin);
  return session;
}

/**
 * Per client address, then per email address (hashed: the key may reach
 * Redis). Made once per server: each limiter has its own counters.
 */
export function signInLimiters(app: FastifyInstance, limits: SignInLimits): Limiter[] {
  const byIp = app.createRateLimit({
    max: limits.perIpPerHour,
    timeWindow: HOUR,
    keyGenerator: (request) => `sign-in-ip:${request.ip}`,
  });
  const byAddress = app.createRateLimit({
    max: limits.perAddressPerHour,
    timeWindow: HOUR,
    keyGenerator: (request) => {
      const email = (request.body as { email?: unknown } | undefined)?.email;
      const address = typeof email === 'string' ? normalizeEmail(email) : '';
      return `sign-in-email:${createHash('sha256').update(address).digest('base64url')}`;
    },
  });
  return [byIp, byAddress];
}

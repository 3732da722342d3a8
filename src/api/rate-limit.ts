/**
 * The per-workspace request rate (@fastify/rate-limit): requests are counted
 * by the workspace their token names (a bearer token, or the `x-api-key` the
 * LLM-compatible routes accept), or by client address when there is no
 * well-formed token, over a one-minute window. Past the limit the
 * answer is `429 rate_limited` with `Retry-After`. With Redis the count is
 * shared by every process; without it each process counts its own.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '../base/errors.js';
import { presentedToken } from './auth.js';

export interface RateLimitSettings {
  /** Requests per workspace per minute; 0 turns the limit off. */
  readonly perMinute: number;
  /** Shared counters; undefined counts in this process. */
  readonly redis?: Redis;
}

export async function registerRateLimit(
  app: FastifyInstance,
  settings: RateLimitSettings,
): Promise<void> {
  // Registered even when off, for the sign-in limits (register-account-route.ts).
  await app.register(rateLimit, {
    global: settings.perMinute > 0,
    max: Math.max(settings.perMinute, 1),
    timeWindow: 60_000,
    keyGenerator: rateKey,
    ...(settings.redis === undefined
      ? {}
      : { redis: settings.redis, nameSpace: 'wardroom-rate-', skipOnError: true }),
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `Rate limit: ${context.max} requests a minute for this workspace; retry in ${context.after}`,
      ),
  });
}

/** The workspace a request acts for, else where it came from. */
function rateKey(request: FastifyRequest): string {
  const token = presentedToken(request.headers);
  return token === undefined ? `ip:${request.ip}` : `ws:${token.tenantId}`;
}

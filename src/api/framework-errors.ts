/**
 * Errors Fastify raises before a route runs, in the API's own shape
 * (`{error: {code, message}}`) and never echoing the request's path: a path
 * that is not valid percent-encoding (400), an over-long path segment or URL
 * (414), a known path asked with a method it does not have (405, with
 * `Allow`), and an unknown path (404).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../base/errors.js';
import { errorHandler } from '../http/error-handler.js';

/** Longest path parameter (Fastify's `maxParamLength`); ids are 36 characters. */
export const MAX_PARAM_LENGTH = 100;
/** Longest request URL, path and query string together. */
export const MAX_URL_LENGTH = 4096;

/** Fastify's `frameworkErrors`: a bad URL or an over-long parameter, found while routing. */
export function frameworkErrors(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  // Raised while routing, before any hook: the correlation id is set here.
  void reply.header('x-correlation-id', request.id);
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      errorHandler(
        new AppError('bad_request', 'The URL path is not valid percent-encoding'),
        request,
        reply,
      );
      return;
    case 'FST_ERR_MAX_PARAM_LENGTH':
      errorHandler(uriTooLong(), request, reply);
      return;
    default:
      errorHandler(error, request, reply);
  }
}

/** An onRequest hook refusing a URL longer than MAX_URL_LENGTH. */
export async function refuseLongUrl(request: FastifyRequest): Promise<void> {
  if (request.url.length > MAX_URL_LENGTH) {
    throw new AppError('uri_too_long', `The URL is longer than ${MAX_URL_LENGTH} characters`);
  }
  return Promise.resolve();
}

function uriTooLong(): AppError {
  return new AppError(
    'uri_too_long',
    `A path segment is longer than ${MAX_PARAM_LENGTH} characters`,
  );
}

/**
 * The 404 handler: 405 with `Allow` when the path is a route's under
 * another method, 414 for an over-long segment, else 404. `routes` are the
 * registered routes' methods and URL patterns (`/a/:id/b`).
 */
export function notFoundHandler(
  routes: readonly { readonly method: string; readonly url: string }[],
): (request: FastifyRequest, reply: FastifyReply) => void {
  let patterns: { method: string; pattern: RegExp }[] | undefined;
  return (request, reply) => {
    patterns ??= routes.map((r) => ({ method: r.method, pattern: patternOf(r.url) }));
    const path = request.url.split('?', 1)[0] ?? '';
    const allowed = [
      ...new Set(patterns.filter((p) => p.pattern.test(path)).map((p) => p.method)),
    ].sort();
    if (allowed.length > 0) {
      void reply.header('allow', allowed.join(', '));
      const message = `Method not allowed on this path; allowed: ${allowed.join(', ')}`;
      errorHandler(new AppError('method_not_allowed', message), request, reply);
      return;
    }
    if (path.split('/').some((segment) => segment.length > MAX_PARAM_LENGTH)) {
      errorHandler(uriTooLong(), request, reply);
      return;
    }
    errorHandler(new AppError('not_found', 'Not found'), request, reply);
  };
}

/** `/a/:id/b` → /^\/a\/[^/]+\/b$/ (the API's URLs hold no other pattern syntax). */
function patternOf(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/');
  return new RegExp(`^${source}$`);
}

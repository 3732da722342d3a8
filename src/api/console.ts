/**
 * The web console: the single-page app built into dist/console/ (see
 * console/), served at `/` and at every client-side route under `/app/`,
 * with its hashed assets under `/assets/`. Its pages are public files (the
 * data comes from the API, which checks every call); each answer carries a
 * strict Content-Security-Policy and nosniff. Without a build, `/` says how
 * to make one.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Scripts, styles, images, fonts and API calls from this origin only; no inline script. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed file names change with their content, so a browser may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Where the build sits: dist/console/ beside the compiled server
 * (dist/src/api/ → dist/console/), or the repository's dist/console/ when the
 * server runs from its sources (src/api/ → dist/console/).
 */
export function defaultConsoleDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const compiled = path.basename(path.dirname(path.dirname(here))) === 'dist';
  return compiled
    ? path.resolve(here, '..', '..', 'console')
    : path.resolve(here, '..', '..', 'dist', 'console');
}

export async function registerConsole(app: FastifyInstance, dir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: dir,
    serve: false,
    // Our own headers below; no directory listings, no dotfiles, no ETag-less caching surprises.
    cacheControl: false,
    dotfiles: 'deny',
    index: false,
  });
  const page = (_request: FastifyRequest, reply: FastifyReply) => sendIndex(dir, reply);
  const config = { staticContent: true as const, rateLimit: false as const };
  const schema = { hide: true };
  app.get('/', { config, schema }, page);
  app.get('/app', { config, schema }, page);
  app.get('/app/*', { config, schema }, page);
  // The public opt-out page (no sign-in): the same app, which shows it for this path.
  app.get('/privacy/optout', { config, schema }, page);
  app.get<{ Params: { '*': string } }>('/assets/*', { config, schema }, (request, reply) => {
    void secure(reply).header('cache-control', IMMUTABLE);
    return reply.sendFile(path.posix.join('assets', request.params['*']));
  });
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff');
}

function sendIndex(dir: string, reply: FastifyReply): FastifyReply {
  secure(reply);
  if (!existsSync(path.join(dir, 'index.html'))) {
    return reply
      .code(503)
      .header('cache-control', 'no-store')
      .type('text/plain; charset=utf-8')
      .send(
        'The Wardroom web console has not been built. Run `npm run build` (or ' +
          '`npm run build:console`) and restart the server, or use `npm run dev:console` ' +
          'while developing. The API is served under /api/v1 either way.\n',
      );
  }
  // The page names the current asset files, so it is checked on every visit.
  return reply.header('cache-control', 'no-cache').sendFile('index.html');
}

/**
 * The API's documentation, browsable at /docs (Swagger UI over the same
 * generated OpenAPI document as GET /api/v1/openapi.json). Public: it
 * describes the API and holds no data.
 */
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const DOCS_PREFIX = '/docs';

/**
 * Swagger UI's own files only; its inline-free page needs no script hash.
 * Inline styles stay allowed because Swagger UI sets some through `<style>`.
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    uiConfig: { deepLinking: false, validatorUrl: null },
    uiHooks: {
      onRequest: (_request, reply, done) => {
        void reply.header('x-content-type-options', 'nosniff');
        done();
      },
    },
  });
}

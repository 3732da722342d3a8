/**
 * A declared route's Fastify schema: its inputs, its success response (or
 * the file types it streams), and one error response per error code it can
 * answer with, all in the `{error: {code, message}}` shape. The OpenAPI
 * document is generated from these.
 */
import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { errorStatus, type ErrorCode } from '../base/errors.js';
import type { RouteDef } from './route.js';
import { streamedContentTypes } from './streamed.js';

export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** Codes every authenticated route can answer with, whatever it declares. */
const ALWAYS: readonly ErrorCode[] = [
  'unauthenticated',
  'validation_failed',
  'forbidden',
  'not_found',
  // A shredded workspace's token gets this on every route (api-tokens.ts).
  'workspace_shredded',
];

/** A text download is a string; any other (a .docx, a zip) is bytes: `format: binary`. */
const fileSchema = (contentType: string): z.ZodString =>
  /^text\/|json|csv/.test(contentType) ? z.string() : z.string().meta({ format: 'binary' });

export function routeSchema(
  route: RouteDef<unknown, unknown>,
  accessText: string,
): FastifySchema & { security: unknown } {
  const codes = new Set([...route.errors, ...ALWAYS]);
  const errorResponses = Object.fromEntries([...codes].map((c) => [errorStatus[c], errorBody]));
  const streamTypes = streamedContentTypes(route.response);
  const success =
    streamTypes === undefined
      ? route.response
      : {
          description: `A file download (${streamTypes.join(' or ')}), streamed`,
          content: Object.fromEntries(
            streamTypes.map((type) => [type, { schema: fileSchema(type) }]),
          ),
        };
  return {
    summary: route.summary,
    description: `${accessText} Error codes: ${[...codes].join(', ')}.`,
    tags: [...route.tags],
    security: [{ bearer: [] }],
    params: route.params,
    ...(route.query === undefined ? {} : { querystring: route.query }),
    ...(route.body === undefined ? {} : { body: route.body }),
    response: { ...errorResponses, [route.status]: success },
  };
}

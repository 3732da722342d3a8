/**
 * Response serialization compiled once per route from its zod schema: the
 * schema's JSON Schema (as /openapi.json shows it) drives fast-json-stringify,
 * which writes only the declared properties (an extra field on a handler's
 * value, say a row's secret hash, is never sent), throws on a missing
 * required one, and checks the type where a schema allows several (a
 * nullable string). Compared with encoding through zod on every response,
 * a page of 50 messages costs a fraction. What it does not re-check on the
 * way out is what TypeScript already checks in the handler's return type
 * (defineRoute ties it to the schema): enum membership, string formats.
 * A schema JSON Schema cannot express (a transform, a custom type) keeps
 * zod's serializer.
 */
import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { serializerCompiler as zodSerializer } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Serialize = (data: unknown) => string;

/** The compiled serializer of one schema, or undefined when only zod can do it. */
export function compileJsonSerializer(schema: z.ZodType): Serialize | undefined {
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = z.toJSONSchema(schema, {
      io: 'output',
      target: 'draft-7',
      unrepresentable: 'throw',
      cycles: 'throw',
      reused: 'inline',
    });
  } catch {
    return undefined;
  }
  delete jsonSchema['$schema'];
  return fastJson(jsonSchema as unknown as Parameters<typeof fastJson>[0]);
}

export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = (route) => {
  const { schema } = route;
  if (schema instanceof z.ZodType) {
    const compiled = compileJsonSerializer(schema);
    if (compiled !== undefined) return compiled;
  }
  return zodSerializer(route);
};

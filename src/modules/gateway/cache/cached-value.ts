/**
 * A cached response as the bytes that get sealed, and back. What comes out
 * of an envelope was sealed by Wardroom, but it is still checked against
 * the port's shape before the pipeline gets it.
 */
import { z } from 'zod';
import type { CachedResponse } from '../ports.js';

const usage = z.strictObject({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});

const cachedResponse = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('json'),
    status: z.number().int().min(100).max(599),
    body: z.unknown(),
    usage,
  }),
  z.strictObject({
    kind: z.literal('stream'),
    status: z.number().int().min(100).max(599),
    events: z.array(z.strictObject({ event: z.string().optional(), data: z.string() })),
    usage,
  }),
]);

export function encodeCachedResponse(response: CachedResponse): Buffer {
  return Buffer.from(JSON.stringify(response), 'utf8');
}

/** The response, or null when the bytes are not one. */
export function decodeCachedResponse(bytes: Buffer): CachedResponse | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  const parsed = cachedResponse.safeParse(value);
  if (!parsed.success) return null;
  const r = parsed.data;
  if (r.kind === 'json') return { kind: 'json', status: r.status, body: r.body, usage: r.usage };
  return {
    kind: 'stream',
    status: r.status,
    events: r.events.map((e) => ({ event: e.event, data: e.data })),
    usage: r.usage,
  };
}

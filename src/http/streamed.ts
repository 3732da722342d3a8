/**
 * Streamed responses. A route whose body is too large to build in memory
 * (an audit export) declares `response: streamed(...)` and its handler
 * returns a StreamedBody; the server then runs `write(sink)` while the
 * request's tenant transaction is still open, so the rows are read from one
 * consistent transaction and the transaction ends only after the last byte
 * has been handed to the response (see sendStreamed below).
 */
import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';

const FILENAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

export interface StreamedBodyInit {
  /** e.g. `text/csv; charset=utf-8` */
  readonly contentType: string;
  /** Sent as `content-disposition: attachment; filename="..."` (plain ASCII only). */
  readonly filename: string;
  /**
   * Writes the whole body into `sink`, honouring backpressure, and ends it.
   * Resolves once the last byte is written; rejects (and must stop) when the
   * sink is destroyed, e.g. because the client went away.
   */
  readonly write: (sink: Writable) => Promise<void>;
}

export class StreamedBody implements StreamedBodyInit {
  readonly contentType: string;
  readonly filename: string;
  readonly write: (sink: Writable) => Promise<void>;

  constructor(init: StreamedBodyInit) {
    if (!FILENAME.test(init.filename)) throw new Error(`unsafe filename ${init.filename}`);
    this.contentType = init.contentType;
    this.filename = init.filename;
    this.write = init.write;
  }
}

const contentTypesOf = new WeakMap<z.ZodType, readonly string[]>();

/**
 * The response declaration of a streamed route: the handler returns a
 * StreamedBody, and OpenAPI lists the given content types with a string body.
 */
export function streamed(
  ...contentTypes: readonly [string, ...string[]]
): z.ZodType<StreamedBody, StreamedBody> {
  const schema = z.custom<StreamedBody>((value) => value instanceof StreamedBody);
  contentTypesOf.set(schema, contentTypes);
  return schema;
}

/** The content types of a `streamed(...)` response declaration, else undefined. */
export function streamedContentTypes(response: z.ZodType): readonly string[] | undefined {
  return contentTypesOf.get(response);
}

/**
 * Runs a StreamedBody's writer inside the request's open transaction. The
 * writer fills `sink`, which is piped (with backpressure) into `response`,
 * the stream the reply sends; `response` is not ended here but by the caller
 * once the transaction has committed, so a download that completes means
 * its audit events committed. Resolves when every byte has reached
 * `response`. A client that goes away mid-stream destroys `response`; the
 * writer is then stopped (its database cursor closes) and this resolves, so
 * the events recording the (partial) download still commit. Any other
 * failure rejects, and the transaction rolls back.
 */
export async function sendStreamed(
  reply: FastifyReply,
  body: StreamedBody,
  response: PassThrough,
): Promise<void> {
  const sink = new PassThrough();
  // Only Fastify destroys `response` before it is ended: the client is gone.
  const clientGone = (): boolean => response.destroyed && !response.writableEnded;
  response.once('close', () => {
    if (clientGone()) sink.destroy();
  });
  sink.pipe(response, { end: false });
  void reply
    .header('content-type', body.contentType)
    .header('content-disposition', `attachment; filename="${body.filename}"`)
    .header('cache-control', 'no-store')
    .send(response);
  try {
    await body.write(sink);
    if (!sink.writableEnded) sink.end();
    await finished(sink);
  } catch (error) {
    if (!clientGone()) throw error;
    reply.log.info({ err: error }, 'client closed a streamed response early');
  }
}

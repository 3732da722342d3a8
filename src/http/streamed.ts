/**
 * Streamed responses. A route whose body is too large to build in memory
 * (an audit export) declares `response: streamed(...)` and its handler
 * returns a StreamedBody; the server then runs `write(sink)` while the
 * request's tenant transaction is still open, so the rows are read from one
 * consistent transaction and the transaction ends only after the last byte
 * has been handed to the response (see sendStreamed in server.ts).
 */
import type { Writable } from 'node:stream';
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

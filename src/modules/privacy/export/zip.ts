/**
 * The export's zip, streamed: each entry is made only when the zip writer
 * reaches it (yazl's lazy read streams), so one collection is read at a
 * time and nothing is held but the page being written. Collections are
 * JSON Lines (one object a line); single documents are JSON.
 */
import { PassThrough, Readable } from 'node:stream';
import yazl from 'yazl';

export type ZipEntry =
  | { readonly name: string; readonly kind: 'json'; readonly value: () => Promise<unknown> }
  | { readonly name: string; readonly kind: 'jsonl'; readonly rows: () => AsyncIterable<unknown> };

/** Rows written per entry, filled in as the zip is read. */
export type EntryCounts = Record<string, number>;

async function* jsonLines(
  rows: AsyncIterable<unknown>,
  counts: EntryCounts,
  name: string,
): AsyncGenerator<Buffer> {
  counts[name] = 0;
  let batch: string[] = [];
  for await (const row of rows) {
    batch.push(`${JSON.stringify(row)}\n`);
    counts[name] += 1;
    if (batch.length >= 200) {
      yield Buffer.from(batch.join(''), 'utf8');
      batch = [];
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''), 'utf8');
}

async function* jsonDocument(value: () => Promise<unknown>): AsyncGenerator<Buffer> {
  yield Buffer.from(`${JSON.stringify(await value(), null, 2)}\n`, 'utf8');
}

/**
 * The zip's bytes, as a stream: the entries in order. A failing entry fails
 * the stream (so the store discards the partial object).
 */
export function zipStream(entries: readonly ZipEntry[], counts: EntryCounts): PassThrough {
  const zip = new yazl.ZipFile();
  // A PassThrough, not Readable.from: destroying that waits for the zip's
  // pending read, which never comes once an entry has failed.
  const out = new PassThrough();
  zip.outputStream.pipe(out);
  const fail = (error: Error): void => {
    zip.outputStream.unpipe(out);
    out.destroy(error);
  };
  for (const entry of entries) {
    zip.addReadStreamLazy(entry.name, { compress: true }, (cb) => {
      const body = Readable.from(
        entry.kind === 'json'
          ? jsonDocument(entry.value)
          : jsonLines(entry.rows(), counts, entry.name),
      );
      body.once('error', fail);
      cb(null, body);
    });
  }
  zip.end();
  return out;
}

/** zipStream: entries in order with counts; a failing entry fails the whole stream. */
import { describe, expect, it } from 'vitest';
import { zipStream, type EntryCounts } from './zip.js';

async function drain(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function* rows(n: number): AsyncGenerator {
  for (let i = 0; i < n; i += 1) {
    await Promise.resolve();
    yield { i };
  }
}

describe('zipStream', () => {
  it('writes every entry and counts the rows of each collection', async () => {
    const counts: EntryCounts = {};
    const zip = await drain(
      zipStream(
        [
          { name: 'a.json', kind: 'json', value: () => Promise.resolve({ x: 1 }) },
          { name: 'b.jsonl', kind: 'jsonl', rows: () => rows(450) },
          { name: 'c.jsonl', kind: 'jsonl', rows: () => rows(0) },
        ],
        counts,
      ),
    );
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    expect(counts).toEqual({ 'b.jsonl': 450, 'c.jsonl': 0 });
  });

  it('fails the stream when an entry fails', async () => {
    async function* broken(): AsyncGenerator {
      yield { ok: true };
      await Promise.resolve();
      throw new Error('page read failed');
    }
    const stream = zipStream([{ name: 'x.jsonl', kind: 'jsonl', rows: broken }], {});
    await expect(drain(stream)).rejects.toThrow('page read failed');
  });
});

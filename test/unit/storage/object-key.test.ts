/**
 * Every object key comes from one builder, and no caller-supplied segment
 * reaches a store unchecked: traversal, encodings, control characters and
 * Unicode look-alikes are refused (never cleaned up), and a key coming back
 * from outside must be exactly what the builder makes.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectKey, parseObjectKey, workspacePrefix } from '../../../src/modules/storage/index.js';

const ws = randomUUID();

const hostile = [
  '',
  '.',
  '..',
  '../x',
  '..\\x',
  'a/b',
  'a\\b',
  'a..b',
  '.hidden',
  '-rf',
  '_x',
  '%2e%2e',
  '%2E%2E%2Fetc',
  '%252e%252e',
  '..%2f',
  '%00',
  'a\0b',
  'a\nb',
  'a\rb',
  'a\tb',
  'a b',
  'a\u007fb',
  '\u2024\u2024', // one-dot leaders: NFKC makes them ".."
  '\uff0e\uff0e', // fullwidth full stops
  '\uff0fetc', // fullwidth solidus
  'caf\u00e9', // composed é
  'cafe\u0301', // e + combining acute: another spelling of the same name
  '\u212a', // Kelvin sign, NFKC "K"
  'a\u200bb', // zero-width space
  'a\u202eb', // right-to-left override
  '\ud800', // lone surrogate
  'C:',
  'file:',
  'a?b',
  'a#b',
  'a*b',
  'a:b',
  'x'.repeat(129),
];

describe('objectKey', () => {
  it('builds tenants/<workspace>/<segments>', () => {
    expect(objectKey(ws, 'exports', 'export-1.zip')).toBe(`tenants/${ws}/exports/export-1.zip`);
    expect(workspacePrefix(ws)).toBe(`tenants/${ws}/`);
  });

  it('writes the workspace id in lowercase, so one workspace has one prefix', () => {
    expect(objectKey(ws.toUpperCase(), 'a')).toBe(`tenants/${ws}/a`);
  });

  it.each(hostile)('refuses the segment %j', (segment) => {
    expect(() => objectKey(ws, 'exports', segment)).toThrow(
      expect.objectContaining({ code: 'object_key_invalid' }),
    );
  });

  it('refuses a workspace id that is not a uuid', () => {
    for (const id of ['', '..', `${ws}/..`, 'x', `../${ws}`, `${ws}\0`]) {
      expect(() => objectKey(id, 'a')).toThrow(
        expect.objectContaining({ code: 'object_key_invalid' }),
      );
    }
  });

  it('refuses no segment, too many, and error messages never echo the segment', () => {
    expect(() => objectKey(ws)).toThrow(expect.objectContaining({ code: 'object_key_invalid' }));
    expect(() => objectKey(ws, ...Array<string>(9).fill('a'))).toThrow(
      expect.objectContaining({ code: 'object_key_invalid' }),
    );
    try {
      objectKey(ws, 'secret-name/../x');
    } catch (error) {
      expect(String(error)).not.toContain('secret-name');
    }
  });

  it('only ever makes keys under the workspace prefix with allow-listed segments (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 10 }),
        (segments) => {
          let key: string;
          try {
            key = objectKey(ws, ...segments);
          } catch {
            return;
          }
          expect(key.startsWith(`tenants/${ws}/`)).toBe(true);
          const rest = key.slice(`tenants/${ws}/`.length).split('/');
          for (const s of rest) {
            expect(s).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
            expect(s).not.toContain('..');
          }
          expect(parseObjectKey(key).key).toBe(key);
        },
      ),
    );
  });
});

describe('parseObjectKey', () => {
  it('gives back the workspace and segments of a built key', () => {
    const key = objectKey(ws, 'exports', 'a.zip');
    expect(parseObjectKey(key)).toEqual({ workspaceId: ws, segments: ['exports', 'a.zip'], key });
  });

  it.each([
    `tenants/${ws}/../${randomUUID()}/a`,
    `tenants/${ws}/./a`,
    `tenants/${ws}//a`,
    `tenants/${ws}/a/`,
    `tenants/${ws}`,
    `tenants/${ws}/`,
    `/tenants/${ws}/a`,
    `tenants/${ws.toUpperCase()}/a`,
    `tenants/${ws}/a%2F..%2Fb`,
    `tenants\\${ws}\\a`,
    `other/${ws}/a`,
    `tenants/not-a-uuid/a`,
    `tenants/${ws}/a\0`,
    `tenants/${ws}/\uff0e\uff0e/a`,
  ])('refuses %j', (key) => {
    expect(() => parseObjectKey(key)).toThrow(
      expect.objectContaining({ code: 'object_key_invalid' }),
    );
  });
});

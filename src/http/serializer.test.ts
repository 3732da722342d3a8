import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { compileJsonSerializer } from './serializer.js';

const message = z.object({
  id: z.string(),
  author_id: z.string().nullable(),
  content: z.string(),
});
const page = z.object({ items: z.array(message), next_cursor: z.string().nullable() });

describe('compiled response serializer', () => {
  const serialize = compileJsonSerializer(page);

  it('writes what zod would, JSON-escaped', () => {
    const value = {
      items: [{ id: 'a', author_id: null, content: 'quote " and \\u2028 \n' }],
      next_cursor: null,
    };
    expect(serialize).toBeDefined();
    expect(JSON.parse(serialize?.(value) ?? '')).toEqual(page.parse(value));
  });

  it('never writes a property the schema does not declare', () => {
    const out =
      serialize?.({
        items: [{ id: 'a', author_id: null, content: 'c', secret_hash: 'leak' }],
        next_cursor: null,
        token: 'leak',
      }) ?? '';
    expect(out).not.toContain('leak');
  });

  it('refuses a value missing a required property, or of a type a union does not allow', () => {
    expect(() =>
      serialize?.({ items: [{ id: 'a', author_id: null }], next_cursor: null }),
    ).toThrow();
    expect(() =>
      serialize?.({ items: [{ id: 'a', author_id: 5, content: 'c' }], next_cursor: null }),
    ).toThrow();
  });

  it('leaves a schema JSON Schema cannot express to zod', () => {
    expect(compileJsonSerializer(z.string().transform((s) => s.length))).toBeUndefined();
  });
});

/**
 * The hand-written fast paths in event.ts must agree byte for byte with the
 * RFC 8785 library they stand in for.
 */
import canonicalizeModule from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../crypto/index.js';
import { canonicalEvent, type AuditRecord } from './event.js';

const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

describe('canonical JSON fast paths', () => {
  it('canonicalJson equals the library on any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('canonicalEvent equals the library on the whole event', () => {
    const text = fc.string({ unit: 'binary', maxLength: 20 });
    const nullable = fc.option(text, { nil: null });
    fc.assert(
      fc.property(
        fc.record({
          tenant_id: fc.uuid(),
          seq: fc.nat(),
          occurred_at: text,
          actor_type: text,
          actor_id: nullable,
          actor_name: nullable,
          action: text,
          targets: fc.array(fc.record({ type: text, id: nullable }), { maxLength: 3 }),
          context: fc.dictionary(text, text, { maxKeys: 3 }),
          correlation_id: nullable,
          metadata: fc.dictionary(text, fc.jsonValue(), { maxKeys: 4 }),
          prev_hash: text,
          hash: text,
        }),
        (e: AuditRecord) => {
          const expected = canonicalize({
            v: 1,
            tenant_id: e.tenant_id,
            seq: e.seq,
            occurred_at: e.occurred_at,
            actor: { type: e.actor_type, id: e.actor_id, name: e.actor_name },
            action: e.action,
            targets: e.targets,
            context: e.context,
            correlation_id: e.correlation_id,
            metadata: e.metadata,
            prev_hash: e.prev_hash,
          });
          expect(canonicalEvent(e)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

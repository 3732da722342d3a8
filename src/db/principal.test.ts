/**
 * withTenant() opens only principals the factories made: a copy with its
 * tenant swapped (which the type system cannot tell from the original) is
 * refused before any connection is made.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDatabase } from './database.js';
import {
  isIssued,
  operatorPrincipal,
  systemPrincipal,
  tokenPrincipal,
  type Principal,
} from './principal.js';

// Port 1 on loopback: nothing listens, so any attempt to connect would fail
// with database_unavailable rather than the refusal asserted here.
const unreachable = 'postgres://wardroom@127.0.0.1:1/none';

describe('principals', () => {
  it('are recognised only as the factories made them', () => {
    const p = systemPrincipal(randomUUID(), 'test');
    expect(isIssued(p)).toBe(true);
    expect(isIssued({ ...p })).toBe(false);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it('record operators as ops and tokens as api_token', () => {
    const ws = randomUUID();
    expect(operatorPrincipal(ws, { id: 'cli:alice', name: 'wardroom token create' })).toMatchObject(
      {
        tenantId: ws,
        actorType: 'ops',
        actorId: 'cli:alice',
        actorName: 'wardroom token create',
      },
    );
    const token = tokenPrincipal({ tenantId: ws, tokenId: 't' }, { correlationId: 'c', ip: '::1' });
    expect(token).toMatchObject({
      actorType: 'api_token',
      actorId: 't',
      correlationId: 'c',
      ip: '::1',
    });
  });

  it('refuses a copy with another tenant before touching the database', async () => {
    const db = createDatabase({ appUrl: unreachable, poolMax: 1 });
    try {
      const original = systemPrincipal(randomUUID(), 'test');
      const forged = { ...original, tenantId: randomUUID() } as Principal;
      let ran = false;
      await expect(
        db.withTenant(forged, () => {
          ran = true;
          return Promise.resolve();
        }),
      ).rejects.toMatchObject({ code: 'internal' });
      expect(ran).toBe(false);
      // The same call with a real principal does try to connect (and fails
      // here for want of a server), so the refusal above came first.
      await expect(db.withTenant(original, () => Promise.resolve())).rejects.toMatchObject({
        code: 'database_unavailable',
      });
    } finally {
      await db.close();
    }
  });
});

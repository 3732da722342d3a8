import { describe, expect, it } from 'vitest';
import { SessionCache } from './session-cache.js';
import type { Session } from './sessions.js';

const session = (id: string, token: string): Session => ({
  sessionId: id,
  userId: 'u',
  email: 'e@example.test',
  displayName: '',
  token,
  csrfToken: 'c',
  method: { kind: 'email_code' },
});

describe('SessionCache', () => {
  it('trusts an entry for the TTL only, and never past the idle timeout', () => {
    let now = 0;
    const cache = new SessionCache({ ttlMs: 5000, now: () => now });
    cache.keep(session('s1', 't1'), 3600);
    cache.keep(session('s2', 't2'), 2);
    now = 1999;
    expect(cache.get('t2')?.sessionId).toBe('s2');
    now = 2000;
    expect(cache.get('t2')).toBeUndefined();
    now = 4999;
    expect(cache.get('t1')?.sessionId).toBe('s1');
    now = 5000;
    expect(cache.get('t1')).toBeUndefined();
  });

  it('drops revoked sessions by id, and everything on clear', () => {
    const cache = new SessionCache({ ttlMs: 5000 });
    cache.keep(session('s1', 't1'), 3600);
    cache.keep(session('s2', 't2'), 3600);
    cache.revoked(['s1', 'unknown']);
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')?.sessionId).toBe('s2');
    cache.clear();
    expect(cache.get('t2')).toBeUndefined();
  });

  it('knows a token only under its own session', () => {
    const cache = new SessionCache({ ttlMs: 5000 });
    cache.keep(session('s1', 't1'), 3600);
    expect(cache.get('t1x')).toBeUndefined();
    expect(cache.get('')).toBeUndefined();
  });
});

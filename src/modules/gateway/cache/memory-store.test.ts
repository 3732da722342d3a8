import { describe, expect, it } from 'vitest';
import { memoryStore } from './memory-store.js';

describe('memoryStore', () => {
  it('is bounded by the total bytes of its entries, least recently used first', async () => {
    const store = memoryStore({ maxBytes: 3000 });
    const value = () => Buffer.alloc(900, 7);
    await store.set('a', value(), 60_000);
    await store.set('b', value(), 60_000);
    await store.set('c', value(), 60_000);
    expect(await store.get('a')).not.toBeNull(); // a is now the most recently used
    await store.set('d', value(), 60_000); // over 3,000 bytes: b goes
    expect(await store.get('b')).toBeNull();
    expect(await store.get('a')).not.toBeNull();
    expect(await store.get('d')).not.toBeNull();
  });

  it('keeps no value larger than the whole store', async () => {
    const store = memoryStore({ maxBytes: 1000 });
    await store.set('big', Buffer.alloc(2000), 60_000);
    expect(await store.get('big')).toBeNull();
  });

  it("forgets an entry after its TTL, by the store's clock", async () => {
    // (lru-cache reads a start time of 0 as "none": a clock starts above it, as real ones do.)
    let now = 1_000_000;
    const store = memoryStore({ now: () => now });
    await store.set('k', Buffer.from('sealed'), 5000);
    now += 4999;
    expect(await store.get('k')).toEqual(Buffer.from('sealed'));
    now += 2;
    expect(await store.get('k')).toBeNull();
  });
});

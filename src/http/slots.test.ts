import { describe, expect, it } from 'vitest';
import { Slots } from './slots.js';

describe('Slots', () => {
  it('refuses past the per-key limit without touching other keys', () => {
    const slots = new Slots(10, 2);
    const a1 = slots.tryTake('a');
    const a2 = slots.tryTake('a');
    expect(a1).toBeTypeOf('function');
    expect(a2).toBeTypeOf('function');
    expect(slots.tryTake('a')).toBeUndefined();
    expect(slots.tryTake('b')).toBeTypeOf('function');
    a1?.();
    expect(slots.tryTake('a')).toBeTypeOf('function');
  });

  it('refuses past the overall limit, and a release counts once', () => {
    const slots = new Slots(2, 5);
    const a = slots.tryTake('a');
    slots.tryTake('b');
    expect(slots.tryTake('c')).toBeUndefined();
    a?.();
    a?.();
    expect(slots.inUse()).toBe(1);
    expect(slots.inUse('a')).toBe(0);
    expect(slots.tryTake('c')).toBeTypeOf('function');
    expect(slots.tryTake('d')).toBeUndefined();
  });
});

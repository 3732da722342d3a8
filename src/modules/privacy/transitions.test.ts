import { describe, expect, it } from 'vitest';
import { AppError } from '../../base/errors.js';
import { checkTransition, nextStates } from './transitions.js';

describe('request states', () => {
  it('allows the table, identity first', () => {
    expect(() => checkTransition('received', 'identity_verified', undefined)).not.toThrow();
    expect(() => checkTransition('identity_verified', 'in_progress', undefined)).not.toThrow();
    expect(() => checkTransition('in_progress', 'completed', undefined)).not.toThrow();
    expect(() => checkTransition('received', 'cancelled', undefined)).not.toThrow();
    expect(() => checkTransition('received', 'denied', 'identity not verified')).not.toThrow();
  });

  it('refuses the rest with a stable code, and a denial without a reason', () => {
    const code = (f: () => void) => {
      try {
        f();
      } catch (error) {
        return error instanceof AppError ? error.code : 'other';
      }
      return 'none';
    };
    expect(code(() => checkTransition('received', 'completed', undefined))).toBe(
      'privacy_transition_invalid',
    );
    expect(code(() => checkTransition('received', 'in_progress', undefined))).toBe(
      'privacy_transition_invalid',
    );
    expect(code(() => checkTransition('completed', 'cancelled', undefined))).toBe(
      'privacy_transition_invalid',
    );
    expect(code(() => checkTransition('received', 'received', undefined))).toBe(
      'privacy_transition_invalid',
    );
    expect(code(() => checkTransition('in_progress', 'denied', undefined))).toBe(
      'validation_failed',
    );
    expect(nextStates('denied')).toEqual([]);
  });
});

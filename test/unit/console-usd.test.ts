/**
 * The console's dollar amounts: typed decimals become micro-dollars exactly
 * (no float rounding), and micros read back as the same amount.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatUsd, MAX_MICROS, parseUsd, usdField } from '../../console/src/usd.js';

describe('console dollar amounts', () => {
  it('parses decimal strings exactly', () => {
    expect(parseUsd('0.1')).toBe(100_000);
    expect(parseUsd('0.29')).toBe(290_000);
    expect(parseUsd('1.005')).toBe(1_005_000);
    expect(parseUsd('$1,234.56')).toBe(1_234_560_000);
    expect(parseUsd(' 12 ')).toBe(12_000_000);
    expect(parseUsd('.5')).toBe(500_000);
    expect(parseUsd('7.')).toBe(7_000_000);
    expect(parseUsd('0.000001')).toBe(1);
    expect(parseUsd('1000000000')).toBe(MAX_MICROS);
  });

  it('refuses what is not an amount', () => {
    for (const bad of ['', '.', '-1', '1e3', '0.0000001', '1.2.3', 'ten', '1000000000.000001']) {
      expect(parseUsd(bad), bad).toBeUndefined();
    }
  });

  it('formats micros with two to six decimals', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(100_000)).toBe('$0.10');
    expect(formatUsd(1)).toBe('$0.000001');
    expect(formatUsd(1_234_560_000)).toBe('$1,234.56');
    expect(formatUsd(12_345_678)).toBe('$12.345678');
    expect(usdField(12_500_000)).toBe('12.5');
    expect(usdField(3_000_000)).toBe('3');
  });

  it('round-trips every amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MICROS }), (micros) => {
        expect(parseUsd(usdField(micros))).toBe(micros);
        expect(parseUsd(formatUsd(micros))).toBe(micros);
      }),
    );
  });
});

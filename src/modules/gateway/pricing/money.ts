/**
 * Money as integers: micro-dollars (1 USD = 1,000,000). Prices are per
 * million tokens, so a price in USD/MTok read as micro-dollars is exactly
 * micro-dollars per million tokens, and a cost is tokens × that / 10^6,
 * rounded up (a budget may overcount by a micro-dollar, never undercount).
 * BigInt keeps the product exact at any size.
 */
import { AppError } from '../../../base/errors.js';

const DECIMAL_USD = /^(0|[1-9][0-9]{0,5})(?:\.([0-9]{1,6}))?$/;

/** `"2.5"` → 2_500_000. At most six decimals and under a million dollars; anything else throws. */
export function usdToMicros(usd: string, what: string): number {
  const match = DECIMAL_USD.exec(usd);
  if (match === null) {
    throw new AppError(
      'config_invalid',
      `${what}: "${usd}" is not a USD amount (a decimal string, at most 6 decimals)`,
    );
  }
  return Number(match[1]) * 1_000_000 + Number((match[2] ?? '').padEnd(6, '0'));
}

/** Micro-dollars for `tokens` at `microsPerMTok`, rounded up. */
export function costMicros(tokens: number, microsPerMTok: number): number {
  const product = BigInt(tokens) * BigInt(microsPerMTok);
  const micros = (product + 999_999n) / 1_000_000n;
  return Number(micros);
}

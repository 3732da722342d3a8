/**
 * Money is integer micro-dollars: bigint in the database and in the gateway
 * ports, a JSON number at the HTTP edge (limits are capped at 10^15 micros,
 * far below 2^53, so no precision is lost).
 */
import { AppError } from '../../base/errors.js';

/** The largest limit a budget may have: one billion dollars. */
export const MAX_MICROS = 1_000_000_000_000_000;

/** A bigint column (read as a string by pg) as a number. */
export function toNumber(value: string | bigint | null): number {
  return value === null ? 0 : Number(value);
}

/** A bigint column (read as a string by pg) as a bigint. */
export function toBigInt(value: string | bigint | number | null): bigint {
  return value === null ? 0n : BigInt(value);
}

/** Refuses a negative amount (a settlement's cost) with a stable code. */
export function checkAmount(value: bigint, what: string): void {
  if (value < 0n || value > BigInt(MAX_MICROS)) {
    throw new AppError(
      'validation_failed',
      `${what} must be between 0 and ${MAX_MICROS} micro-dollars`,
    );
  }
}

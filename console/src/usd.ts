/**
 * US dollars as a person types and reads them, and micro-dollars as the API
 * holds them (1 USD = 1,000,000 micros, integers). Conversion is exact: a
 * typed amount is parsed as a decimal string, never through a float, so
 * "0.1" is 100000 micros, not 99999.
 */

/** The API's ceiling for a limit: one billion dollars. */
export const MAX_MICROS = 1_000_000_000_000_000;

/**
 * `"12.5"`, `"$1,000"`, `"0.000001"` → micros; undefined for anything that
 * is not a non-negative amount with at most 6 decimals, or is above the ceiling.
 */
export function parseUsd(text: string): number | undefined {
  const cleaned = text.trim().replace(/^\$/, '').replaceAll(',', '');
  const match = /^(\d+)(?:\.(\d{0,6}))?$/.exec(cleaned) ?? /^()\.(\d{1,6})$/.exec(cleaned);
  if (match === null) return undefined;
  const whole = BigInt(match[1] === '' || match[1] === undefined ? '0' : match[1]);
  const fraction = BigInt((match[2] ?? '').padEnd(6, '0'));
  const micros = whole * 1_000_000n + fraction;
  if (micros > BigInt(MAX_MICROS)) return undefined;
  return Number(micros);
}

/** Micros → `"$1,234.50"`: at least two decimals, up to six, none lost. */
export function formatUsd(micros: number): string {
  const value = BigInt(Math.trunc(micros));
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const whole = (abs / 1_000_000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = (abs % 1_000_000n)
    .toString()
    .padStart(6, '0')
    .replace(/0{1,4}$/, '');
  return `${sign}$${whole}.${fraction}`;
}

/** Micros → the plain decimal a form field starts with (`"12.5"`, `"3"`). */
export function usdField(micros: number): string {
  const abs = BigInt(Math.trunc(micros));
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  const whole = (abs / 1_000_000n).toString();
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/**
 * Date arithmetic for legal deadlines, on calendar dates (`YYYY-MM-DD`, UTC)
 * with no time of day: a deadline is a day, met by answering at any time on
 * it. Pure, so every rule is a unit test.
 *
 * Months follow Regulation (EEC, Euratom) No 1182/71, Art. 3(2)(c), as the
 * EDPB and the ICO apply it to the GDPR's "one month": the period ends on the
 * date in the last month with the same number as the day of receipt, or, when
 * that month has no such date, on its last day (31 January + 1 month = 28 or
 * 29 February). Art. 3(4) would then move a deadline on a weekend or public
 * holiday to the next working day; that is left out on purpose: holidays
 * differ by country, and the earlier date is never late.
 */

/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: IsoDate): { y: number; m: number; d: number } {
  const match = ISO_DATE.exec(date);
  if (match === null) throw new RangeError(`not a date: ${date}`);
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m))
    throw new RangeError(`not a date: ${date}`);
  return { y, m, d };
}

function format(y: number, m: number, d: number): IsoDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Days in month `m` (1-12) of year `y` (Gregorian leap years). */
export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** The UTC calendar date of an instant. */
export function dateOf(instant: Date): IsoDate {
  return instant.toISOString().slice(0, 10);
}

/** `date` plus `months` calendar months, clamped to the last day of a shorter month. */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { y, m, d } = parts(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return format(year, month, Math.min(d, daysInMonth(year, month)));
}

/** `date` plus `days` calendar days. */
export function addDays(date: IsoDate, days: number): IsoDate {
  const { y, m, d } = parts(date);
  return dateOf(new Date(Date.UTC(y, m - 1, d + days)));
}

/** Day of the week, 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  const { y, m, d } = parts(date);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

/**
 * `date` plus `days` working days, the day of receipt not counted. `weekend`
 * names the days that are not working days (Saturday and Sunday in the US,
 * Friday and Saturday in Bahrain). Public holidays are not known here, so
 * the result may be earlier than the law's, never later.
 */
export function addWorkingDays(date: IsoDate, days: number, weekend: readonly number[]): IsoDate {
  let current = date;
  let left = days;
  while (left > 0) {
    current = addDays(current, 1);
    if (!weekend.includes(weekday(current))) left -= 1;
  }
  return current;
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  const a = parts(from);
  const b = parts(to);
  return Math.round((Date.UTC(b.y, b.m - 1, b.d) - Date.UTC(a.y, a.m - 1, a.d)) / 86_400_000);
}

export function isIsoDate(value: string): boolean {
  try {
    parts(value);
    return true;
  } catch {
    return false;
  }
}

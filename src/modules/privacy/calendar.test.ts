import { describe, expect, it } from 'vitest';
import { addDays, addMonths, addWorkingDays, daysBetween, isIsoDate, weekday } from './calendar.js';

describe('calendar months (Regulation 1182/71 Art. 3(2)(c))', () => {
  it.each([
    ['2026-01-15', 1, '2026-02-15'],
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'], // leap year
    ['2100-01-31', 1, '2100-02-28'], // not a leap year (divisible by 100)
    ['2000-01-31', 1, '2000-02-29'], // a leap year (divisible by 400)
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-02-28', 1, '2026-03-28'], // not the end of March: same number
    ['2028-02-29', 1, '2028-03-29'],
    ['2026-12-31', 1, '2027-01-31'], // across the year
    ['2026-11-30', 3, '2027-02-28'],
    ['2026-01-31', 3, '2026-04-30'],
    ['2027-11-30', 3, '2028-02-29'],
  ])('%s + %i month(s) = %s', (from, months, to) => {
    expect(addMonths(from, months)).toBe(to);
  });
});

describe('days', () => {
  it('adds calendar days across months, years and 29 February', () => {
    expect(addDays('2026-01-20', 45)).toBe('2026-03-06');
    expect(addDays('2028-02-15', 15)).toBe('2028-03-01');
    expect(addDays('2026-02-15', 15)).toBe('2026-03-02');
    expect(addDays('2026-12-20', 15)).toBe('2027-01-04');
  });

  it('counts working days after the day of receipt, skipping the named weekend', () => {
    // Friday 2026-01-02: Mon-Fri weekdays from Monday 5 January.
    expect(weekday('2026-01-02')).toBe(5);
    expect(addWorkingDays('2026-01-02', 1, [0, 6])).toBe('2026-01-05');
    expect(addWorkingDays('2026-01-02', 15, [0, 6])).toBe('2026-01-23');
    // Bahrain's weekend is Friday and Saturday: Thursday + 1 working day = Sunday.
    expect(addWorkingDays('2026-01-01', 1, [5, 6])).toBe('2026-01-04');
  });

  it('measures whole days and refuses impossible dates', () => {
    expect(daysBetween('2026-01-31', '2026-02-28')).toBe(28);
    expect(daysBetween('2026-03-01', '2026-02-28')).toBe(-1);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(() => addMonths('2026-02-30', 1)).toThrow(RangeError);
  });
});

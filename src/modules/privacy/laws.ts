/**
 * Which law's deadline applies to a privacy request, and what that deadline
 * is: one table, with the source of every figure (docs/privacy.md repeats it
 * with the reasoning). Pure: the workspace's region, the requester's stated
 * jurisdiction, the request's type and the day it was received in; a date out.
 */
import { addDays, addMonths, addWorkingDays, type IsoDate } from './calendar.js';

export const REQUEST_TYPES = ['access', 'deletion', 'rectification', 'opt_out'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const LAW_CODES = ['gdpr', 'uk_gdpr', 'ccpa', 'lgpd', 'bh_pdpl', 'appi'] as const;
export type LawCode = (typeof LAW_CODES)[number];

/** The data regions (tenancy's REGIONS; repeated so this table stays pure). */
export type RegionCode = 'us' | 'eu' | 'me-south' | 'ap-northeast';

const SAT_SUN = [0, 6] as const;
const FRI_SAT = [5, 6] as const;

/** A period: calendar months, calendar days, or working days with the named weekend. */
export type Period =
  | { readonly months: number }
  | { readonly days: number }
  | { readonly workingDays: number; readonly weekend: readonly number[] };

export interface Law {
  readonly code: LawCode;
  readonly name: string;
  /** The period from the day of receipt to the deadline. */
  readonly period: Period;
  /** A different period for some request types (CCPA's opt-out of sale or sharing). */
  readonly byType?: Partial<Record<RequestType, Period>>;
  /**
   * The longest total period from receipt once extended (with a recorded
   * reason, before the first deadline passes), or none when the law allows none.
   */
  readonly extendedPeriod?: Period;
  /** False when the law sets no number of days and the period is Wardroom's own target. */
  readonly statutory: boolean;
  /** Where the figures come from. */
  readonly source: string;
}

export const LAWS: Readonly<Record<LawCode, Law>> = {
  gdpr: {
    code: 'gdpr',
    name: 'GDPR (EU/EEA)',
    period: { months: 1 },
    extendedPeriod: { months: 3 },
    statutory: true,
    source:
      'Regulation (EU) 2016/679 Art. 12(3): within one month of receipt, extendable by two further months; months per Regulation 1182/71 Art. 3',
  },
  uk_gdpr: {
    code: 'uk_gdpr',
    name: 'UK GDPR',
    period: { months: 1 },
    extendedPeriod: { months: 3 },
    statutory: true,
    source:
      'UK GDPR Art. 12(3): one month, extendable by two further months; ICO: to the corresponding calendar date, or the last day of a shorter month',
  },
  ccpa: {
    code: 'ccpa',
    name: 'CCPA/CPRA (California)',
    period: { days: 45 },
    byType: { opt_out: { workingDays: 15, weekend: SAT_SUN } },
    extendedPeriod: { days: 90 },
    statutory: true,
    source:
      'Cal. Civ. Code §1798.130(a)(2): 45 days, extendable once by 45 more; 11 CCR §7026(f): opt-out of sale or sharing within 15 business days',
  },
  lgpd: {
    code: 'lgpd',
    name: 'LGPD (Brazil)',
    period: { days: 15 },
    statutory: true,
    source: 'Lei 13.709/2018 Art. 19(II): a complete declaration within 15 days of the request',
  },
  bh_pdpl: {
    code: 'bh_pdpl',
    name: 'PDPL (Bahrain)',
    period: { workingDays: 10, weekend: FRI_SAT },
    statutory: true,
    source:
      'Law No. 30 of 2018 (PDPL), Art. 23: a request to rectify, block or erase answered within 10 working days of receipt (as published law-firm summaries state it; not checked against the official text); applied to every request type, see docs/privacy.md',
  },
  appi: {
    code: 'appi',
    name: 'APPI (Japan)',
    period: { days: 14 },
    statutory: false,
    source:
      'APPI Art. 33(2), 34, 35: "without delay", no number of days; 14 days is Wardroom\'s own target',
  },
};

/** The law a region's workspaces answer under when the requester states nothing else. */
export const REGION_LAW: Readonly<Record<RegionCode, LawCode>> = {
  eu: 'gdpr',
  us: 'ccpa',
  'me-south': 'bh_pdpl',
  'ap-northeast': 'appi',
};

/** EU member states and the other EEA states (Iceland, Liechtenstein, Norway). */
const EEA = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);

/**
 * A requester's stated jurisdiction: an ISO 3166-1 alpha-2 country code,
 * optionally with an ISO 3166-2 subdivision (`US-CA`). Upper case.
 */
export const JURISDICTION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

/** The law of a stated jurisdiction, when the table knows one. */
export function jurisdictionLaw(jurisdiction: string | undefined): LawCode | undefined {
  if (jurisdiction === undefined) return undefined;
  const country = jurisdiction.slice(0, 2);
  if (EEA.has(country)) return 'gdpr';
  if (country === 'GB') return 'uk_gdpr';
  if (jurisdiction === 'US-CA') return 'ccpa';
  if (country === 'BR') return 'lgpd';
  if (country === 'BH') return 'bh_pdpl';
  if (country === 'JP') return 'appi';
  return undefined;
}

function apply(received: IsoDate, period: Period): IsoDate {
  if ('months' in period) return addMonths(received, period.months);
  if ('days' in period) return addDays(received, period.days);
  return addWorkingDays(received, period.workingDays, period.weekend);
}

/** The deadline under `law` for a request of `type` received on `received`. */
export function dueDate(law: LawCode, type: RequestType, received: IsoDate): IsoDate {
  const rule = LAWS[law];
  return apply(received, rule.byType?.[type] ?? rule.period);
}

/** The extended deadline, or undefined when the law (or this type under it) allows none. */
export function extendedDueDate(
  law: LawCode,
  type: RequestType,
  received: IsoDate,
): IsoDate | undefined {
  const rule = LAWS[law];
  if (rule.extendedPeriod === undefined || rule.byType?.[type] !== undefined) return undefined;
  return apply(received, rule.extendedPeriod);
}

export interface Choice {
  readonly law: LawCode;
  readonly dueOn: IsoDate;
}

/**
 * The law applied: of the laws that may govern the request (the requester's
 * stated jurisdiction's and the workspace region's), the statutory one whose
 * deadline comes first, the requester's on a tie; a law with no statutory
 * period (APPI) only when no statutory one applies.
 */
export function chooseLaw(input: {
  readonly region: RegionCode;
  readonly jurisdiction: string | undefined;
  readonly type: RequestType;
  readonly received: IsoDate;
}): Choice {
  const candidates = [jurisdictionLaw(input.jurisdiction), REGION_LAW[input.region]].filter(
    (law, i, all): law is LawCode => law !== undefined && all.indexOf(law) === i,
  );
  const statutory = candidates.filter((law) => LAWS[law].statutory);
  const pool = statutory.length > 0 ? statutory : candidates;
  let best: Choice | undefined;
  for (const law of pool) {
    const dueOn = dueDate(law, input.type, input.received);
    if (best === undefined || dueOn < best.dueOn) best = { law, dueOn };
  }
  // The region's law is always a candidate, so the pool is never empty.
  return best ?? { law: REGION_LAW[input.region], dueOn: input.received };
}

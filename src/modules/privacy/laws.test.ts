import { describe, expect, it } from 'vitest';
import { chooseLaw, dueDate, extendedDueDate, jurisdictionLaw, LAWS } from './laws.js';

describe('deadlines by law', () => {
  it('GDPR and UK GDPR: one calendar month, extendable to three from receipt', () => {
    expect(dueDate('gdpr', 'access', '2026-01-31')).toBe('2026-02-28');
    expect(dueDate('gdpr', 'deletion', '2028-01-31')).toBe('2028-02-29');
    expect(extendedDueDate('gdpr', 'access', '2026-01-31')).toBe('2026-04-30');
    expect(dueDate('uk_gdpr', 'access', '2026-03-31')).toBe('2026-04-30');
    expect(extendedDueDate('uk_gdpr', 'rectification', '2026-11-30')).toBe('2027-02-28');
  });

  it('CCPA: 45 days, extendable once by 45; opt-out within 15 business days, not extendable', () => {
    expect(dueDate('ccpa', 'access', '2026-01-20')).toBe('2026-03-06');
    expect(extendedDueDate('ccpa', 'access', '2026-01-20')).toBe('2026-04-20');
    expect(dueDate('ccpa', 'opt_out', '2026-01-02')).toBe('2026-01-23');
    expect(extendedDueDate('ccpa', 'opt_out', '2026-01-02')).toBeUndefined();
  });

  it('LGPD 15 days, Bahrain 10 working days (Sunday to Thursday), APPI a target; none extendable', () => {
    expect(dueDate('lgpd', 'access', '2028-02-15')).toBe('2028-03-01');
    expect(extendedDueDate('lgpd', 'access', '2028-02-15')).toBeUndefined();
    // Thursday 1 January 2026: two working weeks, Sunday 4 to Thursday 15 January.
    expect(dueDate('bh_pdpl', 'access', '2026-01-01')).toBe('2026-01-15');
    expect(dueDate('bh_pdpl', 'deletion', '2026-01-01')).toBe('2026-01-15');
    expect(extendedDueDate('bh_pdpl', 'access', '2026-01-01')).toBeUndefined();
    expect(LAWS.appi.statutory).toBe(false);
    expect(dueDate('appi', 'access', '2026-01-01')).toBe('2026-01-15');
  });
});

describe('which law applies', () => {
  it('maps stated jurisdictions', () => {
    expect(jurisdictionLaw('DE')).toBe('gdpr');
    expect(jurisdictionLaw('NO')).toBe('gdpr');
    expect(jurisdictionLaw('GB')).toBe('uk_gdpr');
    expect(jurisdictionLaw('US-CA')).toBe('ccpa');
    expect(jurisdictionLaw('US-NY')).toBeUndefined();
    expect(jurisdictionLaw('BR')).toBe('lgpd');
    expect(jurisdictionLaw('BH')).toBe('bh_pdpl');
    expect(jurisdictionLaw('JP')).toBe('appi');
    expect(jurisdictionLaw(undefined)).toBeUndefined();
  });

  it("uses the region's law when the requester states no known jurisdiction", () => {
    const base = { type: 'access', received: '2026-01-31' } as const;
    expect(chooseLaw({ ...base, region: 'eu', jurisdiction: undefined }).law).toBe('gdpr');
    expect(chooseLaw({ ...base, region: 'us', jurisdiction: 'US-NY' }).law).toBe('ccpa');
    expect(chooseLaw({ ...base, region: 'me-south', jurisdiction: undefined }).law).toBe('bh_pdpl');
    expect(chooseLaw({ ...base, region: 'ap-northeast', jurisdiction: undefined })).toEqual({
      law: 'appi',
      dueOn: '2026-02-14',
    });
  });

  it('picks the statutory law whose deadline comes first', () => {
    const base = { type: 'access', received: '2026-01-31' } as const;
    // A Californian asking an EU workspace: GDPR's month ends before CCPA's 45 days.
    expect(chooseLaw({ ...base, region: 'eu', jurisdiction: 'US-CA' })).toEqual({
      law: 'gdpr',
      dueOn: '2026-02-28',
    });
    // A Brazilian asking a US workspace: LGPD's 15 days.
    expect(chooseLaw({ ...base, region: 'us', jurisdiction: 'BR' }).law).toBe('lgpd');
    // A German asking a Japanese workspace: the GDPR, not APPI's non-statutory target.
    expect(chooseLaw({ ...base, region: 'ap-northeast', jurisdiction: 'DE' }).law).toBe('gdpr');
  });
});

/**
 * The gateway bench's arithmetic (bench/gateway/report.ts, load.ts): added
 * latency is taken against the direct leg, verdicts compare Wardroom with
 * Portkey, a skipped leg gives no verdict. Fixed numbers in, no timing.
 */
import { describe, expect, it } from 'vitest';
import { quantile, type RunResult } from '../../bench/gateway/load.js';
import { figuresOf, formatTable, verdicts, type ModeResults } from '../../bench/gateway/report.js';

const sample = (p50: number, p99: number, rps: number, non2xx = 0): RunResult => ({
  rps,
  p50,
  p99,
  requests: 1000,
  non2xx,
  errors: 0,
});

const leg = (p50: number, p99: number, rps: number) => ({
  latency: [sample(p50, p99, rps / 10)],
  load: [sample(p50 * 10, p99 * 10, rps)],
});

describe('gateway bench report', () => {
  it('takes the nearest-rank quantile of sorted values', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(values, 0.5)).toBe(5);
    expect(quantile(values, 0.99)).toBe(10);
    expect(quantile([7], 0.5)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });

  it('measures added latency against direct and throughput at full concurrency', () => {
    const results: ModeResults = {
      mode: 'json',
      legs: { direct: leg(0.2, 1, 5000), portkey: leg(3.2, 9, 400) },
    };
    const portkey = figuresOf(results, 'portkey')!;
    expect(portkey.addedP50).toBeCloseTo(3);
    expect(portkey.addedP99).toBeCloseTo(8);
    expect(portkey.rps).toBe(400);
  });

  it('meets the targets only when Wardroom adds less than Portkey, under 1 ms, at no less throughput', () => {
    const ahead: ModeResults = {
      mode: 'json',
      legs: { direct: leg(0.2, 1, 5000), portkey: leg(3.2, 9, 400), wardroom: leg(0.9, 4, 450) },
    };
    expect(verdicts(ahead).map((v) => v.met)).toEqual([true, true, true]);
    const behind: ModeResults = {
      mode: 'json',
      legs: { direct: leg(0.2, 1, 5000), portkey: leg(3.2, 9, 400), wardroom: leg(4.2, 12, 300) },
    };
    const missed = verdicts(behind);
    expect(missed.map((v) => v.met)).toEqual([false, false, false]);
    expect(missed[1]!.value).toBeCloseTo(4);
    expect(missed[2]!.value).toBeCloseTo(0.75);
  });

  it('gives no verdict for a skipped leg and says why it was skipped', () => {
    const results: ModeResults = {
      mode: 'stream',
      legs: { direct: leg(0.2, 1, 5000), portkey: leg(30, 90, 100) },
    };
    expect(verdicts(results)).toEqual([]);
    const table = formatTable([results], { wardroom: 'the route answered 404' });
    expect(table).toMatch(/wardroom\s+skipped/);
    expect(table).toContain('wardroom: SKIPPED: the route answered 404');
    expect(table).not.toContain('MET');
  });
});

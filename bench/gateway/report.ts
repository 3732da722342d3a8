/** The gateway bench's table and verdicts: medians over rounds, added latency against direct. */
import type { RunResult } from './load.js';

/**
 * `same-sql` replays Wardroom's own statements for a call around the same
 * upstream call, with nothing else of Wardroom's in the way (same-sql.ts).
 */
export const LEGS = ['direct', 'portkey', 'wardroom', 'same-sql'] as const;
export type LegName = (typeof LEGS)[number];

/** Wardroom's added p50 must stay under this (issue 12, section 9). */
export const ADDED_P50_TARGET_MS = 1;

export interface LegSamples {
  /** Low concurrency: what one call costs. */
  readonly latency: readonly RunResult[];
  /** Full concurrency: throughput. */
  readonly load: readonly RunResult[];
}

export interface ModeResults {
  readonly mode: string;
  readonly legs: Partial<Record<LegName, LegSamples>>;
}

export interface Verdict {
  readonly label: string;
  readonly value: number;
  readonly met: boolean;
  readonly target: string;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const med = (runs: readonly RunResult[], pick: (r: RunResult) => number) => median(runs.map(pick));

export interface LegFigures {
  readonly p50: number;
  readonly p99: number;
  readonly addedP50: number;
  readonly addedP99: number;
  readonly rps: number;
  readonly loadP50: number;
  readonly non2xx: number;
  readonly errors: number;
}

export function figuresOf(results: ModeResults, leg: LegName): LegFigures | undefined {
  const samples = results.legs[leg];
  const direct = results.legs.direct;
  if (samples === undefined || direct === undefined) return undefined;
  const p50 = med(samples.latency, (r) => r.p50);
  const p99 = med(samples.latency, (r) => r.p99);
  const all = [...samples.latency, ...samples.load];
  return {
    p50,
    p99,
    addedP50: p50 - med(direct.latency, (r) => r.p50),
    addedP99: p99 - med(direct.latency, (r) => r.p99),
    rps: med(samples.load, (r) => r.rps),
    loadP50: med(samples.load, (r) => r.p50),
    non2xx: all.reduce((n, r) => n + r.non2xx, 0),
    errors: all.reduce((n, r) => n + r.errors, 0),
  };
}

/** Wardroom against Portkey: added p50 below Portkey's and under 1 ms; throughput at least Portkey's. */
export function verdicts(results: ModeResults): Verdict[] {
  const portkey = figuresOf(results, 'portkey');
  const wardroom = figuresOf(results, 'wardroom');
  if (portkey === undefined || wardroom === undefined) return [];
  return [
    {
      label: 'wardroom/portkey added p50',
      value: wardroom.addedP50 / portkey.addedP50,
      met: wardroom.addedP50 < portkey.addedP50,
      target: "Wardroom's added p50 below Portkey's",
    },
    {
      label: 'wardroom added p50 ms',
      value: wardroom.addedP50,
      met: wardroom.addedP50 < ADDED_P50_TARGET_MS,
      target: `under ${ADDED_P50_TARGET_MS} ms`,
    },
    {
      label: 'wardroom/portkey req/s',
      value: wardroom.rps / portkey.rps,
      met: wardroom.rps >= portkey.rps,
      target: "at least Portkey's",
    },
  ];
}

/**
 * Where Wardroom's added p50 goes: its statements alone (the same-sql leg)
 * and the rest (its own code). Information, not a verdict.
 */
export function splitOf(results: ModeResults): string | undefined {
  const wardroom = figuresOf(results, 'wardroom');
  const sameSql = figuresOf(results, 'same-sql');
  if (wardroom === undefined || sameSql === undefined) return undefined;
  return (
    `of wardroom's added p50 ${wardroom.addedP50.toFixed(2)} ms, its SQL alone adds ` +
    `${sameSql.addedP50.toFixed(2)} ms, the rest ${(wardroom.addedP50 - sameSql.addedP50).toFixed(2)} ms; ` +
    `same-sql/portkey req/s ${(sameSql.rps / (figuresOf(results, 'portkey')?.rps ?? Number.NaN)).toFixed(2)}`
  );
}

const HEADER = [
  'mode',
  'leg',
  'p50 ms',
  'p99 ms',
  '+p50 ms',
  '+p99 ms',
  'req/s',
  'p50 ms loaded',
  'non-2xx',
  'errors',
];
const fixed = (value: number, digits: number) =>
  Number.isNaN(value) ? '-' : value.toFixed(digits);

export function formatTable(
  all: readonly ModeResults[],
  skipped: Readonly<Partial<Record<LegName, string>>>,
): string {
  const lines: string[][] = [];
  const notes: string[] = [];
  for (const results of all) {
    let first = true;
    for (const leg of LEGS) {
      const f = figuresOf(results, leg);
      const mode = first ? results.mode : '';
      first = false;
      if (f === undefined) {
        lines.push([mode, leg, 'skipped', '', '', '', '', '', '', '']);
        continue;
      }
      const direct = leg === 'direct';
      lines.push([
        mode,
        leg,
        fixed(f.p50, 3),
        fixed(f.p99, 3),
        direct ? '' : fixed(f.addedP50, 3),
        direct ? '' : fixed(f.addedP99, 3),
        fixed(f.rps, 0),
        fixed(f.loadP50, 2),
        String(f.non2xx),
        String(f.errors),
      ]);
    }
    for (const v of verdicts(results)) {
      notes.push(
        `${results.mode}: ${v.label} ${v.value.toFixed(2)}  ${v.met ? 'MET' : 'MISS'} (${v.target})`,
      );
    }
    const split = splitOf(results);
    if (split !== undefined) notes.push(`${results.mode}: ${split}`);
  }
  for (const [leg, reason] of Object.entries(skipped)) notes.push(`${leg}: SKIPPED: ${reason}`);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (l: readonly string[]) =>
    l
      .map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [render(HEADER), rule, ...lines.map(render), '', ...notes].join('\n');
}

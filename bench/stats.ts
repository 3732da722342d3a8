/** Medians and the result table. */
export interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** CPU milliseconds per request: the target's Node process, its PostgreSQL backends. */
  readonly nodeCpu: number;
  readonly pgCpu: number;
}

export interface Row {
  readonly scenario: string;
  readonly baseline: readonly Sample[];
  /** The full stack's own SQL sent from a bare handler (bench/same-sql.ts). */
  readonly sql: readonly Sample[];
  readonly full: readonly Sample[];
}

/** Full stack against the baseline. */
export const TARGET_RATIO = 0.6;
/** Full stack against the same-SQL reference (issue 11, section 7). */
export const SQL_TARGET_RATIO = 0.8;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const fixed = (value: number, digits: number) =>
  Number.isNaN(value) ? '-' : value.toFixed(digits);

export function failures(samples: readonly Sample[]): number {
  return sum(samples.map((s) => s.non2xx + s.errors));
}

const rpsOf = (samples: readonly Sample[]) => median(samples.map((s) => s.rps));

export function ratioOf(row: Row): number {
  return rpsOf(row.full) / rpsOf(row.baseline);
}

const HEADER = [
  'scenario',
  'target',
  'req/s',
  'p50 ms',
  'p99 ms',
  'non-2xx',
  'errors',
  'node CPU',
  'pg CPU',
  'req/s per round',
];
const NUMERIC = new Set([2, 3, 4, 5, 6, 7, 8]);

export function formatTable(rows: readonly Row[]): string {
  const lines: string[][] = [];
  for (const row of rows) {
    for (const [name, samples] of [
      ['baseline', row.baseline],
      ['same SQL', row.sql],
      ['full', row.full],
    ] as const) {
      const med = (pick: (s: Sample) => number) => median(samples.map(pick));
      lines.push([
        name === 'baseline' ? row.scenario : '',
        name,
        fixed(
          med((s) => s.rps),
          0,
        ),
        fixed(
          med((s) => s.p50),
          1,
        ),
        fixed(
          med((s) => s.p99),
          1,
        ),
        String(sum(samples.map((s) => s.non2xx))),
        String(sum(samples.map((s) => s.errors))),
        fixed(
          med((s) => s.nodeCpu),
          2,
        ),
        fixed(
          med((s) => s.pgCpu),
          2,
        ),
        samples.map((s) => s.rps.toFixed(0)).join(' / '),
      ]);
    }
    const ratio = ratioOf(row);
    const verdict = ratio >= TARGET_RATIO ? 'PASS' : 'MISS';
    const info = (label: string, value: number, note: string) =>
      lines.push(['', label, value.toFixed(2), '', '', '', '', '', '', note]);
    info('full/base', ratio, `${verdict} (target >= ${TARGET_RATIO})`);
    info('sql/base', rpsOf(row.sql) / rpsOf(row.baseline), 'what the database invariants cost');
    const appRatio = rpsOf(row.full) / rpsOf(row.sql);
    const appVerdict = appRatio >= SQL_TARGET_RATIO ? 'PASS' : 'MISS';
    info(
      'full/sql',
      appRatio,
      `${appVerdict} (target >= ${SQL_TARGET_RATIO}): what the application layer costs`,
    );
  }
  const widths = HEADER.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (l: readonly string[]) =>
    l
      .map((cell, i) => (NUMERIC.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [render(HEADER), rule, ...lines.map(render), '(CPU columns: CPU ms per request)'].join(
    '\n',
  );
}

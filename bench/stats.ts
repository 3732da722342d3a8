/** Medians and the result table. */
export interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface Row {
  readonly scenario: string;
  readonly baseline: readonly Sample[];
  readonly full: readonly Sample[];
}

export const TARGET_RATIO = 0.6;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

export function failures(samples: readonly Sample[]): number {
  return sum(samples.map((s) => s.non2xx + s.errors));
}

export function ratioOf(row: Row): number {
  return median(row.full.map((s) => s.rps)) / median(row.baseline.map((s) => s.rps));
}

export function formatTable(rows: readonly Row[]): string {
  const header = [
    'scenario',
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    'errors',
    'req/s per round',
  ];
  const lines: string[][] = [header];
  for (const row of rows) {
    for (const [name, samples] of [
      ['baseline', row.baseline],
      ['full', row.full],
    ] as const) {
      lines.push([
        name === 'baseline' ? row.scenario : '',
        name,
        median(samples.map((s) => s.rps)).toFixed(0),
        median(samples.map((s) => s.p50)).toFixed(1),
        median(samples.map((s) => s.p99)).toFixed(1),
        String(sum(samples.map((s) => s.non2xx))),
        String(sum(samples.map((s) => s.errors))),
        samples.map((s) => s.rps.toFixed(0)).join(' / '),
      ]);
    }
    const ratio = ratioOf(row);
    const verdict = ratio >= TARGET_RATIO ? 'PASS' : 'MISS';
    lines.push([
      '',
      'full/base',
      ratio.toFixed(2),
      '',
      '',
      '',
      '',
      `${verdict} (target >= ${TARGET_RATIO})`,
    ]);
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => (l[i] ?? '').length)));
  const render = (l: string[]) =>
    l
      .map((cell, i) => (i >= 2 && i <= 6 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [render(header), rule, ...lines.slice(1).map(render)].join('\n');
}

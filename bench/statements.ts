/**
 * The statements a target sends PostgreSQL for one request, recorded in the
 * target's own process (every pg client query while recording), so the
 * bench can check that the same-SQL reference sends exactly the full
 * stack's statements: same texts, in the same order.
 */
import pg from 'pg';

/** A statement as a pg client sent it: its text and its values. */
export interface SentStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

let recording: SentStatement[] | undefined;

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply below
const original = pg.Client.prototype.query as unknown as Query;

function sentOf(args: readonly unknown[]): SentStatement {
  const [first, second] = args;
  const positional = Array.isArray(second) ? (second as unknown[]) : [];
  if (typeof first === 'string') return { text: first, values: positional };
  if (typeof first === 'object' && first !== null && 'text' in first) {
    const values = 'values' in first && Array.isArray(first.values) ? first.values : positional;
    return { text: String(first.text), values: values as unknown[] };
  }
  return { text: '(submittable)', values: [] };
}

(pg.Client.prototype as unknown as { query: Query }).query = function query(
  this: pg.Client,
  ...args: unknown[]
) {
  recording?.push(sentOf(args));
  return original.apply(this, args);
};

/** Statement texts sent while `fn` runs (nothing else may query meanwhile). */
export async function recordStatements(fn: () => Promise<unknown>): Promise<string[]> {
  const { sent } = await recordSent(fn);
  return sent.map((s) => s.text);
}

/** The statements, values included, sent while `fn` runs, and what `fn` answered. */
export async function recordSent<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; sent: SentStatement[] }> {
  const sent: SentStatement[] = [];
  recording = sent;
  try {
    return { result: await fn(), sent };
  } finally {
    recording = undefined;
  }
}

/** One statement per line, whitespace collapsed, for comparison. */
export function normalizeStatement(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

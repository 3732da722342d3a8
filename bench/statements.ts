/**
 * The statements a target sends PostgreSQL for one request, recorded in the
 * target's own process (every pg client query while recording), so the
 * bench can check that the same-SQL reference sends exactly the full
 * stack's statements: same texts, in the same order.
 */
import pg from 'pg';

let recording: string[] | undefined;

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
// eslint-disable-next-line @typescript-eslint/unbound-method -- re-bound with apply below
const original = pg.Client.prototype.query as unknown as Query;

function textOf(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (typeof arg === 'object' && arg !== null && 'text' in arg) return String(arg.text);
  return '(submittable)';
}

(pg.Client.prototype as unknown as { query: Query }).query = function query(
  this: pg.Client,
  ...args: unknown[]
) {
  recording?.push(textOf(args[0]));
  return original.apply(this, args);
};

/** Statement texts sent while `fn` runs (nothing else may query meanwhile). */
export async function recordStatements(fn: () => Promise<unknown>): Promise<string[]> {
  const statements: string[] = [];
  recording = statements;
  try {
    await fn();
  } finally {
    recording = undefined;
  }
  return statements;
}

/** One statement per line, whitespace collapsed, for comparison. */
export function normalizeStatement(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

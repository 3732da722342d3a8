/**
 * Queries built and compiled once, at load, for the request path: Kysely
 * builds an immutable tree and compiles it to SQL on every call, which on
 * a hot route costs about as much as the rest of the handler's own work.
 * A compiled query keeps Kysely's typing and SQL text; each run only binds
 * its values (as a named prepared statement, prepared-pool.ts).
 *
 * `build` gets one placeholder per argument and must use each as a value
 * (never to choose a table, a column or a branch): the placeholders are
 * found again among the compiled parameters and replaced at run time.
 * Anything else it passes stays a fixed parameter.
 */
import {
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
  type Transaction,
} from 'kysely';
import type { DB } from './schema.js';

/** Builds and compiles, never connects. */
const builder = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

class Placeholder {
  constructor(readonly index: number) {}
}

export type CompiledRun<Args extends readonly unknown[], R> = (
  tx: Transaction<DB>,
  ...args: Args
) => Promise<R[]>;

export function compiled<Args extends readonly unknown[], R>(
  arity: Args['length'],
  build: (db: Kysely<DB>, ...args: Args) => Compilable<R>,
): CompiledRun<Args, R> {
  const placeholders = Array.from({ length: arity }, (_, i) => new Placeholder(i));
  const query = build(builder, ...(placeholders as unknown as Args)).compile();
  const slots = query.parameters.map((p) => (p instanceof Placeholder ? p.index : -1));
  const used = new Set(slots.filter((s) => s >= 0));
  if (used.size !== arity) {
    throw new Error(`compiled query uses ${String(used.size)} of its ${String(arity)} arguments`);
  }
  const fixed = query.parameters;
  return async (tx, ...args) => {
    const parameters = slots.map((slot, i) => (slot < 0 ? fixed[i] : args[slot]));
    const result = await tx.executeQuery<R>(CompiledQuery.raw(query.sql, parameters));
    return result.rows;
  };
}

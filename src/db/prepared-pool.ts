/**
 * Named prepared statements for Kysely on node-postgres.
 *
 * Kysely sends every query as an unnamed statement, so PostgreSQL parses,
 * rewrites (row level security included) and plans it on every request:
 * for the token check that was most of the statement's cost. This pool
 * gives each distinct parameterized SQL text a name; node-postgres then
 * parses it once per connection and afterwards only binds and executes,
 * and PostgreSQL may settle on a generic plan (the RLS tenant comparison is
 * an InitPlan evaluated at run time, so a cached plan is still per tenant).
 *
 * Bounded: at most `maxStatements` texts get a name (never evicted; later
 * texts run unnamed as before), and texts that are long or carry many
 * parameters, typically multi-row inserts of varying size, are never named.
 * Statements without parameters (BEGIN, COMMIT, SET LOCAL) run unnamed.
 *
 * A named statement whose result type a migration changed underneath it
 * fails once ("cached plan must not change result type"); the connection is
 * then discarded instead of returned to the pool, so the next request gets
 * a fresh one.
 *
 * Each checkout is handed out as its own lease, which refuses every query
 * once it has sent COMMIT or ROLLBACK or been released. Queries of a
 * transaction wait for each other in Kysely, so when a callback fails while
 * others of its promises still have queries waiting (a Promise.all), those
 * would otherwise be sent after the ROLLBACK: with no tenant set, or on the
 * next user's transaction once the connection is back in the pool.
 */
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

export interface PreparedPoolOptions {
  /** Distinct SQL texts given a name (per process; each connection prepares on first use). */
  readonly maxStatements: number;
  /** Longer texts are never named. */
  readonly maxTextLength?: number;
  /** Texts with more parameters are never named. */
  readonly maxParameters?: number;
}

/** SQLSTATEs after which a connection's prepared statements cannot be trusted. */
const STALE_STATEMENT_CODES = new Set([
  '0A000', // feature_not_supported: cached plan must not change result type
  '26000', // invalid_sql_statement_name: prepared statement does not exist
]);

function isStaleStatement(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    STALE_STATEMENT_CODES.has(String(error.code)) &&
    /cached plan|prepared statement/i.test(error.message)
  );
}

export function preparedPool(pool: pg.Pool, options: PreparedPoolOptions): PostgresPool {
  const maxTextLength = options.maxTextLength ?? 4096;
  const maxParameters = options.maxParameters ?? 64;
  const names = new Map<string, string>();
  const clients = new WeakMap<pg.PoolClient, PreparedClient>();

  const nameOf = (text: string, parameters: number): string | undefined => {
    if (parameters === 0 || parameters > maxParameters || text.length > maxTextLength) {
      return undefined;
    }
    let name = names.get(text);
    if (name === undefined && names.size < options.maxStatements) {
      name = `wardroom_${String(names.size)}`;
      names.set(text, name);
    }
    return name;
  };

  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = clients.get(client);
      if (wrapped === undefined) {
        wrapped = new PreparedClient(client, nameOf);
        clients.set(client, wrapped);
      }
      return new Lease(wrapped);
    },
    end: () => pool.end(),
  };
}

/** Ends the transaction: nothing may follow it on the same checkout. */
const TRANSACTION_END = /^\s*(commit|rollback|end|abort)\s*;?\s*$/i;

const transactionEnded = () => new Error('Query refused: its transaction already ended');

/** One checkout of a connection, refusing queries once its transaction ended. */
class Lease implements PostgresPoolClient {
  #ended = false;

  constructor(private readonly client: PreparedClient) {}

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters: readonly unknown[] = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      if (this.#ended) throw transactionEnded();
      return this.client.query(sqlOrCursor);
    }
    if (this.#ended) return Promise.reject(transactionEnded());
    if (TRANSACTION_END.test(sqlOrCursor)) this.#ended = true;
    return this.client.query<R>(sqlOrCursor, parameters);
  }

  release(destroy?: boolean): void {
    this.#ended = true;
    this.client.release(destroy);
  }
}

class PreparedClient implements PostgresPoolClient {
  #stale = false;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly nameOf: (text: string, parameters: number) => string | undefined,
  ) {}

  query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(
    sqlOrCursor: string | PostgresCursor<R>,
    parameters: readonly unknown[] = [],
  ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    if (typeof sqlOrCursor !== 'string') {
      // pg-cursor: node-postgres accepts any submittable and returns it.
      return this.client.query(
        sqlOrCursor as unknown as pg.Submittable,
      ) as unknown as PostgresCursor<R>;
    }
    const values = [...parameters];
    const name = this.nameOf(sqlOrCursor, values.length);
    const config: pg.QueryConfig =
      name === undefined ? { text: sqlOrCursor, values } : { name, text: sqlOrCursor, values };
    return this.client.query(config).then(
      (result) => result as unknown as PostgresQueryResult<R>,
      (error: unknown) => {
        if (isStaleStatement(error)) this.#stale = true;
        throw error;
      },
    );
  }

  release(destroy?: boolean): void {
    const discard = destroy === true || this.#stale;
    this.#stale = false;
    this.client.release(discard);
  }
}

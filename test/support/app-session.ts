/**
 * Raw sessions as the app role for attack tests: a plain pg.Client, tenant
 * context set the way withTenant() sets it (set_config(..., true) inside a
 * transaction), every attempt under a savepoint so a rejected statement does
 * not end the transaction, and ROLLBACK at the end so tests leave no trace.
 */
import pg from 'pg';

export type Outcome =
  | { readonly ok: true; readonly rowCount: number; readonly rows: Record<string, unknown>[] }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      readonly detail: string | undefined;
    };

export async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Runs one statement under a savepoint; a failure is returned, not thrown. */
export async function attempt(
  client: pg.ClientBase,
  text: string,
  values: unknown[] = [],
): Promise<Outcome> {
  await client.query('savepoint attempt');
  try {
    const result = await client.query<Record<string, unknown>>(text, values);
    await client.query('release savepoint attempt');
    return { ok: true, rowCount: result.rowCount ?? 0, rows: result.rows };
  } catch (error) {
    await client.query('rollback to savepoint attempt');
    if (!(error instanceof pg.DatabaseError)) throw error;
    return { ok: false, code: error.code ?? '', message: error.message, detail: error.detail };
  }
}

/**
 * Runs `fn` in a transaction on `client` with wardroom.tenant_id set to
 * `tenant` (or not set at all when `tenant` is null), then rolls back
 * (or commits, when asked, to let an admin inspect what survived).
 */
export async function inTenant<T>(
  client: pg.ClientBase,
  tenant: string | null,
  fn: () => Promise<T>,
  end: 'rollback' | 'commit' = 'rollback',
): Promise<T> {
  await client.query('begin');
  try {
    if (tenant !== null) {
      await client.query(`select set_config('wardroom.tenant_id', $1, true)`, [tenant]);
    }
    const result = await fn();
    await client.query(end);
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/** Replaces every uuid in a message with `<uuid>`, to compare error shapes. */
export function withoutUuids(text: string | undefined): string | undefined {
  return text?.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>');
}

/** An outcome with uuids masked and the result rows dropped, for equality checks. */
export function shape(outcome: Outcome): Record<string, unknown> {
  return outcome.ok
    ? { ok: true, rowCount: outcome.rowCount }
    : {
        ok: false,
        code: outcome.code,
        message: withoutUuids(outcome.message),
        detail: withoutUuids(outcome.detail),
      };
}

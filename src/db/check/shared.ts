/**
 * What every `wardroom db check` rule file shares: the finding, the way a
 * rule reports one, and the catalog query function. Rule files import this,
 * never check.ts, so check.ts alone imports the rules (no import cycle).
 */
import type pg from 'pg';

export interface CheckFinding {
  /** Stable snake_case rule id. */
  readonly rule: string;
  /** The offending object, e.g. `wardroom.messages` or a role name. */
  readonly object: string;
  readonly message: string;
}

export type AddFinding = (rule: string, object: string, message: string) => void;

/** The app role (RoleNames.app), once found in pg_roles. */
export interface AppRole {
  readonly name: string;
  readonly oid: number;
}

/** Runs a catalog query and returns its rows. */
export type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>;

export function queryOn(client: pg.ClientBase): Query {
  return async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) =>
    (await client.query<R>(text, values)).rows;
}

/** The schema whose objects are checked. */
export const SCHEMA = 'wardroom';

/** SQL for `schema.name(argtype, ...)` of pg_proc row `p`. */
export const FUNCTION_NAME = `format('%s.%I(%s)', p.pronamespace::regnamespace, p.proname, oidvectortypes(p.proargtypes))`;

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

/**
 * SQL rows `('create', <schema or database>)` for every schema (catalogs
 * aside) and the database in which the role `$1` (an oid) may CREATE.
 */
export const CAN_CREATE_SQL = `select 'create' as kind, quote_ident(nspname) as object from pg_namespace
      where nspname !~ '^pg_' and nspname <> 'information_schema'
        and has_schema_privilege($1::oid, oid, 'CREATE')
     union all
     select 'create', quote_ident(current_database())
      where has_database_privilege($1::oid, current_database(), 'CREATE')`;

/**
 * Function drift: the current text of every SQL function lives in one file,
 * `sql/<function>.sql` beside the module that owns it (src/db/sql for
 * database-level helpers), holding one CREATE OR REPLACE FUNCTION statement.
 * Migrations stay immutable, so a migration that changes a function copies
 * that file's text in; this check proves the files and a migrated database
 * agree, in both directions.
 *
 * For each file, in a transaction of its own run as the owner role and
 * always rolled back: snapshot every function in schema `wardroom`
 * (pg_get_functiondef, owner and ACL), execute the file, find the pg_proc
 * rows the statement wrote (xmin = this transaction), and compare those
 * with the snapshot. A file that changes its function, creates a function
 * the database lacks, or defines a function other than the one it is named
 * after is reported; so is every function in the schema (except those an
 * extension owns) that no file defines.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { mapRoleNames, quoteIdent, type RoleNames } from './roles.js';

/** The `src` directory of the source tree (also when running from dist/). */
export const SOURCE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  ...(import.meta.url.includes('/dist/') ? ['..'] : []),
  'src',
);

const SCHEMA = 'wardroom';

export interface FunctionFile {
  /** Path relative to the repository root, e.g. `src/modules/audit/sql/jcs.sql`. */
  readonly path: string;
  readonly text: string;
}

export type FunctionDriftKind =
  /** Executing the file changes the function's definition. */
  | 'drifted'
  /** The file defines a function (name and argument types) the database lacks. */
  | 'not_in_database'
  /** A function in the schema that no file defines. */
  | 'no_file'
  /** The file is not one CREATE OR REPLACE FUNCTION statement named after its function. */
  | 'bad_file';

export interface FunctionDrift {
  readonly kind: FunctionDriftKind;
  /** `wardroom.name(argtypes)`, or the file's base name when no function could be identified. */
  readonly function: string;
  readonly file: string | undefined;
  readonly message: string;
}

/** Every `sql/*.sql` file under `src/`, sorted by path. */
export async function functionFiles(sourceDir: string = SOURCE_DIR): Promise<FunctionFile[]> {
  const root = path.dirname(sourceDir);
  const entries = await readdir(sourceDir, { recursive: true });
  const paths = entries
    .filter((e) => e.endsWith('.sql') && path.basename(path.dirname(e)) === 'sql')
    .map((e) => path.join(sourceDir, e))
    .sort();
  return Promise.all(
    paths.map(async (p) => ({
      path: path.relative(root, p).split(path.sep).join('/'),
      text: await readFile(p, 'utf8'),
    })),
  );
}

interface FunctionState {
  oid: string;
  name: string;
  proname: string;
  schema: string;
  state: string | null;
}

/** A function's identity and the parts a CREATE OR REPLACE may change, as one comparable text. */
const STATE_SQL = `select p.oid::text as oid, p.oid::regprocedure::text as name, p.proname::text as proname,
         p.pronamespace::regnamespace::text as schema,
         case when p.prokind in ('f', 'p')
              then concat_ws(E'\\n', pg_get_functiondef(p.oid), pg_get_userbyid(p.proowner),
                             coalesce(p.proacl::text, 'default acl')) end as state
    from pg_proc p`;

/** pg's extended protocol (parse, bind, execute) refuses more than one statement. */
interface SingleStatement extends pg.QueryConfig {
  readonly queryMode: 'extended';
}

const CREATE_OR_REPLACE = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*CREATE\s+OR\s+REPLACE\s+FUNCTION\s/i;

/**
 * Compares `files` with the functions of the database `client` is connected
 * to. The client must be idle (not in a transaction) and allowed to SET ROLE
 * to the owner; role names in the files are mapped as the migration runner
 * maps them. Nothing is changed: every file runs in a rolled-back transaction.
 */
export async function checkFunctionDrift(
  client: pg.ClientBase,
  files: readonly FunctionFile[],
  roles: RoleNames,
): Promise<FunctionDrift[]> {
  const drift: FunctionDrift[] = [];
  const defined = new Set<string>();
  for (const file of files) {
    const base = path.basename(file.path, '.sql');
    const report = (kind: FunctionDriftKind, fn: string, message: string) => {
      drift.push({ kind, function: fn, file: file.path, message: `${file.path}: ${message}` });
    };
    if (!CREATE_OR_REPLACE.test(file.text)) {
      report('bad_file', base, 'is not a CREATE OR REPLACE FUNCTION statement');
      continue;
    }
    await client.query('begin');
    try {
      await client.query(`set local role ${quoteIdent(roles.owner)}`);
      const before = await states(client, `where p.pronamespace = $1::regnamespace`, [SCHEMA]);
      try {
        const statement: SingleStatement = {
          text: mapRoleNames(file.text, roles),
          queryMode: 'extended',
        };
        await client.query(statement);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        report('bad_file', base, `does not execute: ${message}`);
        continue;
      }
      const written = await states(client, `where p.xmin = pg_current_xact_id()::xid`);
      if (written.length !== 1) {
        const names = written.map((w) => w.name).join(', ') || 'none';
        report('bad_file', base, `must define exactly one function; it wrote ${names}`);
        continue;
      }
      const [after] = written as [FunctionState];
      defined.add(after.oid);
      if (after.schema !== SCHEMA || after.proname !== base) {
        report('bad_file', after.name, `defines ${after.name}, not ${SCHEMA}.${base}`);
        continue;
      }
      const old = before.find((b) => b.oid === after.oid);
      if (old === undefined) {
        report('not_in_database', after.name, `defines ${after.name}, which the database lacks`);
      } else if (old.state !== after.state) {
        report('drifted', after.name, `differs from ${after.name} in the database`);
      }
    } finally {
      await client.query('rollback');
    }
  }
  const all = await states(
    client,
    `where p.pronamespace = $1::regnamespace
       and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
                        and d.objid = p.oid and d.deptype = 'e')`,
    [SCHEMA],
  );
  for (const f of all) {
    if (defined.has(f.oid)) continue;
    drift.push({
      kind: 'no_file',
      function: f.name,
      file: undefined,
      message: `${f.name} has no sql/${f.proname}.sql file defining it`,
    });
  }
  return drift.sort((a, b) => a.function.localeCompare(b.function) || a.kind.localeCompare(b.kind));
}

async function states(
  client: pg.ClientBase,
  where: string,
  values: unknown[] = [],
): Promise<FunctionState[]> {
  return (await client.query<FunctionState>(`${STATE_SQL} ${where} order by 1`, values)).rows;
}

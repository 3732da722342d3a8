/**
 * The sql/<function>.sql files and a freshly migrated database agree
 * (src/db/function-drift.ts), and the check fails when they do not: a body
 * changed in memory, for every file; a function no file defines; a file
 * whose signature the database lacks; a file that is not exactly one
 * CREATE OR REPLACE FUNCTION named after its function. The database is one
 * of this file's own.
 */
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  checkFunctionDrift,
  functionFiles,
  type FunctionDrift,
  type FunctionFile,
} from '../../src/db/function-drift.js';
import { quoteIdent } from '../../src/db/roles.js';
import { createTestDatabase, dropTestDatabase, type TestDatabase } from '../support/databases.js';

let tdb: TestDatabase;
let admin: pg.Client;
let files: FunctionFile[];

beforeAll(async () => {
  tdb = await createTestDatabase(inject('clusterUrl'));
  admin = new pg.Client({ connectionString: tdb.adminUrl });
  await admin.connect();
  files = await functionFiles();
});

afterAll(async () => {
  await admin.end();
  await dropTestDatabase(inject('clusterUrl'), tdb);
});

const check = async (list: readonly FunctionFile[]) =>
  (await checkFunctionDrift(admin, list, tdb.roles)).map(
    ({ kind, function: fn, file }: FunctionDrift) => ({ kind, function: fn, file }),
  );

const fileOf = (name: string): FunctionFile => {
  const found = files.find((f) => path.basename(f.path) === `${name}.sql`);
  if (found === undefined) throw new Error(`no file for ${name}`);
  return found;
};

/** `files` with one file's text edited; the edit must change the text. */
function editing(name: string, edit: (text: string) => string): FunctionFile[] {
  const file = fileOf(name);
  const text = edit(file.text);
  expect(text).not.toBe(file.text);
  return files.map((f) => (f === file ? { ...f, text } : f));
}

describe('SQL function files', () => {
  it('match every function in the migrated schema, one file each, named after it', async () => {
    expect(await check(files)).toEqual([]);
    const { rows } = await admin.query<{ name: string }>(
      `select proname as name from pg_proc where pronamespace = 'wardroom'::regnamespace`,
    );
    const names = rows.map((r) => r.name).sort();
    expect(files.map((f) => path.basename(f.path, '.sql')).sort()).toEqual(names);
    expect(names).toEqual(expect.arrayContaining(['jcs', 'audit_changes']));
  });

  it('report a function whose file changes a literal in its body', async () => {
    const changed = editing('jcs', (t) => t.replace('> 9007199254740991', '> 9007199254740990'));
    expect(await check(changed)).toEqual([
      { kind: 'drifted', function: 'wardroom.jcs(jsonb)', file: 'src/modules/audit/sql/jcs.sql' },
    ]);
  });

  it('report a function whose file changes a clause outside the body', async () => {
    const changed = editing('audit_seal', (t) =>
      t.replace('VOLATILE SECURITY DEFINER', 'STABLE SECURITY DEFINER'),
    );
    expect(await check(changed)).toEqual([
      {
        kind: 'drifted',
        function: 'wardroom.audit_seal()',
        file: 'src/modules/audit/sql/audit_seal.sql',
      },
    ]);
  });

  it('report each file as drifted when a line is added to its body', async () => {
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const at = file.text.lastIndexOf('$$');
      const text = `${file.text.slice(0, at)}\n-- drifted\n${file.text.slice(at)}`;
      const found = await check(files.map((f) => (f === file ? { ...f, text } : f)));
      expect(found).toEqual([
        {
          kind: 'drifted',
          function: expect.stringMatching(/^wardroom\./) as string,
          file: file.path,
        },
      ]);
    }
    // One whole check per file: the work grows with the square of the files.
  }, 180_000);

  it('report a function that no file defines', async () => {
    const without = files.filter((f) => f !== fileOf('uuid_v7'));
    expect(await check(without)).toEqual([
      { kind: 'no_file', function: 'wardroom.uuid_v7()', file: undefined },
    ]);
  });

  it('report a function added to the database without a file', async () => {
    const owner = quoteIdent(tdb.roles.owner);
    await admin.query(`set role ${owner};
      create function wardroom.extra() returns integer language sql as 'select 1';
      reset role`);
    try {
      expect(await check(files)).toEqual([
        { kind: 'no_file', function: 'wardroom.extra()', file: undefined },
      ]);
    } finally {
      await admin.query(`set role ${owner}; drop function wardroom.extra(); reset role`);
    }
  });

  it('report a file whose signature the database lacks, and the function it left uncovered', async () => {
    const changed = editing('list_workspace_ids', (t) =>
      t.replace('list_workspace_ids() RETURNS', 'list_workspace_ids(p_limit integer) RETURNS'),
    );
    expect(await check(changed)).toEqual([
      { kind: 'no_file', function: 'wardroom.list_workspace_ids()', file: undefined },
      {
        kind: 'not_in_database',
        function: 'wardroom.list_workspace_ids(integer)',
        file: 'src/db/sql/list_workspace_ids.sql',
      },
    ]);
  });

  it('report a file with a second statement', async () => {
    const changed = editing(
      'uuid_v7',
      (t) => `${t}GRANT EXECUTE ON FUNCTION wardroom.uuid_v7() TO PUBLIC;\n`,
    );
    const found = await checkFunctionDrift(admin, changed, tdb.roles);
    expect(found.map((f) => [f.kind, f.function])).toEqual([
      ['bad_file', 'uuid_v7'],
      ['no_file', 'wardroom.uuid_v7()'],
    ]);
    expect(found[0]?.message).toMatch(/multiple commands/);
  });

  it('report a file that is not CREATE OR REPLACE', async () => {
    const changed = editing('uuid_v7', (t) =>
      t.replace('CREATE OR REPLACE FUNCTION', 'CREATE FUNCTION'),
    );
    expect(await check(changed)).toEqual([
      { kind: 'bad_file', function: 'uuid_v7', file: 'src/db/sql/uuid_v7.sql' },
      { kind: 'no_file', function: 'wardroom.uuid_v7()', file: undefined },
    ]);
  });

  it('report a file named after another function', async () => {
    const renamed = files.map((f) =>
      f === fileOf('uuid_v7') ? { ...f, path: 'src/db/sql/uuid_v8.sql' } : f,
    );
    expect(await check(renamed)).toEqual([
      { kind: 'bad_file', function: 'wardroom.uuid_v7()', file: 'src/db/sql/uuid_v8.sql' },
    ]);
  });

  it('leave the database as it was: the files still match after the failing cases', async () => {
    expect(await check(files)).toEqual([]);
  });
});

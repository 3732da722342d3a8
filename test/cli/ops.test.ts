/**
 * The operator gate, `wardroom ops psql`, without an interactive psql: the
 * psql binary is a script (WARDROOM_PSQL) that runs the real psql with the
 * arguments given after `--` and keeps its output. The session runs as the
 * ops role, cannot SET session_replication_role, and every workspace gets
 * an ops.session_opened event naming the OS user and the reason. A database
 * where the ops role could assume the owner role is refused.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OpsGateRefused, openOpsSession } from '../../src/db/ops-gate.js';
import { quoteIdent } from '../../src/db/roles.js';
import { connectAdmin, type Admin } from '../support/admin.js';
import { cliRunner } from '../support/cli.js';
import { createTestDatabase, dropTestDatabase } from '../support/databases.js';

let dir: string;
let admin: Admin;
const masterKey = randomBytes(32).toString('base64');
const run = (args: readonly string[], env: Record<string, string> = {}, err: string[] = []) =>
  cliRunner({ masterKey, dataDir: dir })(args, env, [], err);
const ops = () => `${inject('rolePrefix')}ops`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-ops-'));
  await writeFile(path.join(dir, 'psql'), '#!/bin/sh\nexec psql "$@" >"$OPS_OUT" 2>&1\n');
  await chmod(path.join(dir, 'psql'), 0o755);
  admin = await connectAdmin();
});
afterAll(async () => {
  await admin.close();
  await rm(dir, { recursive: true, force: true });
});

async function gate(reason: string, ...psqlArgs: string[]) {
  const out = path.join(dir, `${randomUUID()}.out`);
  const env = {
    PATH: process.env['PATH'] ?? '',
    OPS_OUT: out,
    WARDROOM_PSQL: path.join(dir, 'psql'),
  };
  const err: string[] = [];
  let error: unknown;
  try {
    await run(['ops', 'psql', '--reason', reason, '--', ...psqlArgs], env, err);
  } catch (e) {
    error = e;
  }
  const psqlOutput = await readFile(out, 'utf8').catch(() => '');
  return { psqlOutput, err, error };
}

describe('wardroom ops psql', () => {
  it('runs psql as the ops role and records who and why in every workspace', async () => {
    await run(['workspace', 'create', '--name', 'Gate', '--owner-email', 'gate@ops.test']);
    const reason = `investigate ${randomUUID()}`;
    const r = await gate(reason, '-XAtc', 'select current_user, session_user');
    expect(r.error).toBeUndefined();
    expect(r.psqlOutput.trim()).toBe(`${ops()}|postgres`);
    const { rows } = await admin.client.query<{ n: string; types: string[]; ids: string[] }>(
      `select count(*) as n, array_agg(distinct actor_type) as types, array_agg(distinct actor_id) as ids
         from wardroom.audit_log where action = 'ops.session_opened' and metadata ->> 'reason' = $1`,
      [reason],
    );
    const { rows: ws } = await admin.client.query<{ n: string }>(
      'select count(*) as n from wardroom.workspaces',
    );
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    expect(rows[0]?.n).toBe(ws[0]?.n);
    expect(rows[0]?.types).toEqual(['ops']);
    expect(rows[0]?.ids).toEqual([os.userInfo().username]);
  });

  it('gives a session that cannot silence the audit triggers', async () => {
    const r = await gate('try replica mode', '-Xc', 'set session_replication_role = replica');
    expect(r.psqlOutput).toContain('permission denied to set parameter "session_replication_role"');
    expect(String(r.error)).toContain('psql exited with status 1');
  });

  it('refuses without a reason', async () => {
    const r = await gate('  ', '-XAtc', 'select 1');
    expect(String(r.error)).toContain('needs a reason');
  });
});

describe('openOpsSession', () => {
  it('refuses a database where the ops role can assume the owner role', async () => {
    const db = await createTestDatabase(inject('clusterUrl'));
    const client = new pg.Client({ connectionString: db.adminUrl });
    await client.connect();
    try {
      await client.query(`grant ${quoteIdent(db.roles.owner)} to ${quoteIdent(db.roles.ops)}`);
      await expect(
        openOpsSession({ adminUrl: db.adminUrl, roles: db.roles, reason: 'x-x-x', osUser: 'me' }),
      ).rejects.toBeInstanceOf(OpsGateRefused);
      const { rows } = await client.query(
        `select 1 from wardroom.audit_log where action = 'ops.session_opened'`,
      );
      expect(rows).toEqual([]);
    } finally {
      await client.end();
      await dropTestDatabase(inject('clusterUrl'), db);
    }
  });
});

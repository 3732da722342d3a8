/**
 * The CLI in process, against the run's test database: workspace creation
 * prints a working token, tokens are created and revoked, and `db url`,
 * `migrate` and `db check` answer for the same database the server uses.
 */
import os from 'node:os';
import { describe, expect, inject, it } from 'vitest';
import { connectAdmin } from '../support/admin.js';
import { cliHarness } from '../support/cli.js';
import { bearer } from '../support/app.js';

const cli = cliHarness('wardroom-cli-');
const run = cli.run;

describe('wardroom CLI', () => {
  it('workspace create --json prints a workspace id and a token that works over HTTP', async () => {
    const { out } = await run(
      'workspace',
      'create',
      '--name',
      'Acme',
      '--region',
      'eu',
      '--owner-email',
      'Founder@Acme.test',
      '--json',
    );
    const created = JSON.parse(out.join('')) as { workspace_id: string; token: string };
    expect(created.token).toMatch(/^wr_/);
    const res = await cli.app().app.inject({
      url: `/api/v1/workspaces/${created.workspace_id}/members`,
      headers: bearer(created.token),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ items: [{ email: 'founder@acme.test', role: 'owner' }] });
  });

  it('creates and revokes tokens', async () => {
    const { out } = await run(
      'workspace',
      'create',
      '--name',
      'Beta',
      '--owner-email',
      'o@beta.test',
      '--json',
    );
    const ws = JSON.parse(out.join('')) as { workspace_id: string };
    const made = await run(
      'token',
      'create',
      '--workspace',
      ws.workspace_id,
      '--email',
      'o@beta.test',
      '--json',
    );
    const token = (JSON.parse(made.out.join('')) as { token: string }).token;
    const url = `/api/v1/workspaces/${ws.workspace_id}/workrooms`;
    expect((await cli.app().app.inject({ url, headers: bearer(token) })).statusCode).toBe(200);
    await run('token', 'revoke', token);
    expect((await cli.app().app.inject({ url, headers: bearer(token) })).statusCode).toBe(401);
    await expect(run('token', 'revoke', token)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('token create --expires-in-days sets an expiry the token answers token_expired after', async () => {
    const { out } = await run(
      'workspace',
      'create',
      '--name',
      'Exp',
      '--owner-email',
      'o@exp.test',
      '--json',
    );
    const ws = (JSON.parse(out.join('')) as { workspace_id: string }).workspace_id;
    const create = (...extra: string[]) =>
      run('token', 'create', '--workspace', ws, '--email', 'o@exp.test', '--json', ...extra);
    for (const bad of ['0', '366', '7.5', 'seven', '-1']) {
      await expect(create('--expires-in-days', bad), bad).rejects.toMatchObject({
        code: 'validation_failed',
      });
    }
    const made = JSON.parse((await create('--expires-in-days', '7')).out.join('')) as {
      token_id: string;
      token: string;
    };
    const admin = await connectAdmin();
    try {
      const { rows } = await admin.client.query<{ days: number; n: number }>(
        `select extract(epoch from max(expires_at) - now()) / 86400 as days, count(*)::int as n
           from wardroom.api_tokens where tenant_id = $1 and id = $2`,
        [ws, made.token_id],
      );
      expect(rows[0]?.n).toBe(1);
      expect(Number(rows[0]?.days)).toBeGreaterThan(6.9);
      expect(Number(rows[0]?.days)).toBeLessThanOrEqual(7);
      // One token from workspace create, one made here: the refused ones made nothing.
      const count = await admin.client.query<{ n: number }>(
        'select count(*)::int as n from wardroom.api_tokens where tenant_id = $1',
        [ws],
      );
      expect(count.rows[0]?.n).toBe(2);
      const url = `/api/v1/workspaces/${ws}/workrooms`;
      expect((await cli.app().app.inject({ url, headers: bearer(made.token) })).statusCode).toBe(
        200,
      );
      await admin.client.query(
        `update wardroom.api_tokens set expires_at = now() - interval '1 second'
          where tenant_id = $1 and id = $2`,
        [ws, made.token_id],
      );
      const res = await cli.app().app.inject({ url, headers: bearer(made.token) });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'token_expired' } });
    } finally {
      await admin.close();
    }
  });

  it('records what an operator does at the CLI as ops, naming the OS user and the command', async () => {
    const { out } = await run(
      'workspace',
      'create',
      '--name',
      'Ops',
      '--owner-email',
      'o@ops.test',
      '--json',
    );
    const ws = (JSON.parse(out.join('')) as { workspace_id: string }).workspace_id;
    const made = await run('token', 'create', '--workspace', ws, '--email', 'o@ops.test', '--json');
    await run('token', 'revoke', (JSON.parse(made.out.join('')) as { token: string }).token);
    const admin = await connectAdmin();
    try {
      const { rows } = await admin.client.query<{
        action: string;
        actor_type: string;
        actor_id: string;
        actor_name: string | null;
      }>(
        `select action, actor_type, actor_id, actor_name from wardroom.audit_log
          where tenant_id = $1 order by id`,
        [ws],
      );
      const operator = `cli:${os.userInfo().username}`;
      expect(rows.map((r) => r.action)).toEqual(
        expect.arrayContaining(['workspace.created', 'api_token.created', 'api_token.updated']),
      );
      for (const r of rows) expect(r).toMatchObject({ actor_type: 'ops', actor_id: operator });
      const named = (action: string) => rows.filter((r) => r.action === action);
      expect(named('workspace.created')[0]?.actor_name).toBe('wardroom workspace create');
      expect(named('api_token.updated')[0]?.actor_name).toBeNull();
      expect(named('api_token.created').map((r) => r.actor_name)).toEqual([
        'wardroom workspace create',
        'wardroom token create',
      ]);
    } finally {
      await admin.close();
    }
  });

  it('rejects bad input with a clear code and creates nothing', async () => {
    await expect(
      run('workspace', 'create', '--name', 'X', '--region', 'mars', '--owner-email', 'a@b.test'),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(
      run('token', 'create', '--workspace', 'nope', '--email', 'a@b.test'),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('db url prints the admin and app URLs of the database in use', async () => {
    expect((await run('db', 'url')).out).toEqual([inject('adminUrl')]);
    expect((await run('db', 'url', '--role', 'app')).out).toEqual([inject('appUrl')]);
  });

  it('migrate reports an up-to-date database, and db check passes', async () => {
    expect((await run('migrate')).out).toEqual(['Database is up to date']);
    expect((await run('db', 'check')).out).toEqual(['db check: ok']);
  });
});

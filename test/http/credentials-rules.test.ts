/**
 * Integration credentials over HTTP, their rules: bad input gets a clear
 * code, echoes no secret and writes nothing; a replace must keep the kind;
 * fingerprints are keyed per workspace; an envelope opens only on its row.
 */
import { describe, expect, it } from 'vitest';
import { newWorkspace } from '../support/app.js';
import { call, expectError } from '../support/http.js';
import { credentialsSuite, unique, url } from '../support/credentials.js';

const suite = credentialsSuite();
const { create, created, open } = suite;

describe('credential rules', () => {
  it('refuses a secret of another kind on replace, and writes nothing', async () => {
    const made = await created({
      kind: 'oauth',
      provider: 'google',
      label: `g ${unique()}`,
      secret: { access_token: `ya29.${unique()}` },
    });
    const before = await suite.admin.snapshot(suite.ws.id);
    const res = await call(suite.t, 'PUT', url(suite.ws, made.id), {
      token: suite.ws.ownerToken,
      payload: { secret: { value: 'sk-ant-not-oauth' } },
    });
    expectError(res, 400, 'validation_failed');
    expect(res.body).not.toContain('sk-ant-not-oauth');
    expect(await suite.admin.snapshot(suite.ws.id)).toEqual(before);
  });

  it('refuses bad input with a clear code, echoes no secret, and writes nothing', async () => {
    const label = `dup ${unique()}`;
    await created({
      kind: 'webhook_api_key',
      provider: 'custom',
      label,
      secret: { value: `first-${unique()}` },
    });
    const marker = `bad-input-secret-${unique()}`;
    const bad: [object, number, string][] = [
      [
        { kind: 'webhook_api_key', provider: 'custom', label, secret: { value: marker } },
        409,
        'conflict',
      ],
      [
        { kind: 'webhook_api_key', provider: 'anthropic', label: 'x', secret: { value: marker } },
        400,
        'validation_failed',
      ],
      [
        { kind: 'llm_api_key', provider: 'anthropic', label: 'x', secret: { value: marker } },
        400,
        'validation_failed',
      ],
      [
        { kind: 'llm_api_key', provider: 'openai', label: 'x', secret: { access_token: marker } },
        400,
        'validation_failed',
      ],
      [
        { kind: 'oauth', provider: 'slack', label: 'x', secret: { access_token: `${marker} x` } },
        400,
        'validation_failed',
      ],
      [
        {
          kind: 'oauth',
          provider: 'slack',
          label: 'x',
          secret: { access_token: marker },
          extra: 1,
        },
        400,
        'validation_failed',
      ],
      [
        { kind: 'password', provider: 'custom', label: 'x', secret: { value: marker } },
        400,
        'validation_failed',
      ],
      [
        { kind: 'mcp_client', provider: 'custom', label: '', secret: { value: marker } },
        400,
        'validation_failed',
      ],
      [
        { kind: 'mcp_client', provider: 'custom', label: 'x', secret: marker },
        400,
        'validation_failed',
      ],
      [
        { kind: 'mcp_client', provider: 'custom', label: 'x', secret: { value: 'short' } },
        400,
        'validation_failed',
      ],
    ];
    const before = await suite.admin.snapshot(suite.ws.id);
    for (const [body, status, code] of bad) {
      const res = await create(body);
      expectError(res, status, code, JSON.stringify(body));
      expect(res.body).not.toContain(marker);
    }
    expect(await suite.admin.snapshot(suite.ws.id)).toEqual(before);
  });

  it('keys fingerprints per workspace, and binds each envelope to its row', async () => {
    const value = `sk-ant-shared-${unique()}`;
    const body = (l: string) => ({
      kind: 'llm_api_key',
      provider: 'anthropic',
      label: l,
      secret: { value },
    });
    const other = await newWorkspace(suite.t);
    const a = await created(body(`a ${unique()}`));
    const b = await created(body(`b ${unique()}`));
    const c = await created(body('c'), other);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(c.fingerprint).not.toBe(a.fingerprint);
    // An envelope copied onto another row (even of the same workspace) does not open.
    await suite.admin.client.query(
      `update wardroom.integration_credentials set secret = (select secret from wardroom.integration_credentials where id = $1) where id = $2`,
      [a.id, b.id],
    );
    await expect(open(b.id)).rejects.toMatchObject({ code: 'decryption_failed' });
    expect(await open(a.id)).toMatchObject({ secret: { value } });
  });

  it("creates a workspace's fingerprint key once, even under concurrent first writes", async () => {
    const fresh = await newWorkspace(suite.t);
    const value = `whk_concurrent_${unique()}`;
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        created(
          { kind: 'webhook_api_key', provider: 'custom', label: `c${i}`, secret: { value } },
          fresh,
        ),
      ),
    );
    expect(new Set(results.map((r) => r.fingerprint)).size).toBe(1);
    const { rows } = await suite.admin.client.query<{ n: number }>(
      'select count(*)::int as n from wardroom.credential_fingerprint_keys where tenant_id = $1',
      [fresh.id],
    );
    expect(rows[0]?.n).toBe(1);
  });
});

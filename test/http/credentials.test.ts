/**
 * Integration credentials over HTTP, their life: every kind is created,
 * listed, read, replaced and revoked; a secret goes in and never comes out
 * (responses show fingerprint and last4 only); the database holds only an
 * envelope, wiped on revocation; the audit log records changed column names,
 * never values.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newWorkspace } from '../support/app.js';
import { call, expectError } from '../support/http.js';
import { credentialsSuite, unique, url, type View } from '../support/credentials.js';

const suite = credentialsSuite();
const { create, created, open, storedSecret } = suite;
const VIEW_KEYS = [
  'created_at',
  'created_by',
  'fingerprint',
  'id',
  'kind',
  'label',
  'last4',
  'provider',
  'replaced_at',
  'revoked_at',
  'status',
];

describe('credentials', () => {
  it('stores every kind, and shows only fingerprint and last4', async () => {
    const cases = [
      [
        'oauth',
        'notion',
        {
          access_token: `ntn_${unique()}${unique()}`,
          refresh_token: unique() + unique(),
          scopes: ['read'],
        },
      ],
      ['webhook_api_key', 'custom', { value: `whk_${unique()}${unique()}` }],
      ['mcp_client', 'slack', { value: `mcp_${unique()}` }],
      ['whatsapp_token', 'whatsapp', { value: `EAAG${unique()}${unique()}` }],
      ['llm_api_key', 'openai', { value: `sk-proj-${unique()}${unique()}` }],
      ['llm_api_key', 'anthropic', { value: `sk-ant-${unique()}` }],
    ] as const;
    for (const [kind, provider, secret] of cases) {
      const res = await create({ kind, provider, label: `${kind} ${unique()}`, secret });
      expect(res.statusCode, res.body).toBe(201);
      const view = res.json<View & Record<string, unknown>>();
      expect(Object.keys(view).sort()).toEqual(VIEW_KEYS);
      expect(view).toMatchObject({ kind, provider, status: 'active', replaced_at: null });
      expect(view.fingerprint).toMatch(/^[0-9a-f]{16}$/);
      const primary = 'access_token' in secret ? secret.access_token : secret.value;
      expect(view.last4).toBe(primary.length >= 16 ? primary.slice(-4) : null);
      for (const value of Object.values(secret).flat()) {
        if (value.length >= 8) expect(res.body).not.toContain(value);
      }
      const stored = await storedSecret(view.id);
      expect(stored?.[0]).toBe(2); // envelope format version
      expect(stored?.toString('latin1')).not.toContain(primary);
      expect(await open(view.id)).toEqual({ id: view.id, kind, provider, secret });
    }
  });

  it('lists and gets metadata, filtered and paginated', async () => {
    const w = await newWorkspace(suite.t);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const body = {
        kind: 'webhook_api_key',
        provider: 'custom',
        label: `hook ${i}`,
        secret: { value: `hook-secret-${i}-${unique()}` },
      };
      ids.push((await created(body, w)).id);
    }
    await created(
      {
        kind: 'llm_api_key',
        provider: 'anthropic',
        label: 'llm',
        secret: { value: `sk-ant-${unique()}` },
      },
      w,
    );
    const page1 = await call(suite.t, 'GET', `${url(w)}?kind=webhook_api_key&limit=2`, {
      token: w.ownerToken,
    });
    const body1 = page1.json<{ items: View[]; next_cursor: string | null }>();
    expect(body1.items.map((i) => i.id)).toEqual(ids.slice(0, 2));
    const page2 = await call(
      suite.t,
      'GET',
      `${url(w)}?kind=webhook_api_key&limit=2&cursor=${body1.next_cursor ?? ''}`,
      { token: w.ownerToken },
    );
    expect(page2.json()).toMatchObject({ items: [{ id: ids[2] }], next_cursor: null });
    const one = await call(suite.t, 'GET', url(w, ids[1]), { token: w.ownerToken });
    expect(one.json()).toMatchObject({ id: ids[1], label: 'hook 1', status: 'active' });
    expectError(
      await call(suite.t, 'GET', url(w, randomUUID()), { token: w.ownerToken }),
      404,
      'not_found',
    );
  });

  it('replaces the secret in place: same id, new fingerprint, the audit log names columns only', async () => {
    const first = `sk-ant-first-${unique()}`;
    const second = `sk-ant-second-${unique()}`;
    const made = await created({
      kind: 'llm_api_key',
      provider: 'anthropic',
      label: `replace ${unique()}`,
      secret: { value: first },
    });
    const res = await call(suite.t, 'PUT', url(suite.ws, made.id), {
      token: suite.ws.ownerToken,
      payload: { secret: { value: second } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const replaced = res.json<View>();
    expect(replaced.id).toBe(made.id);
    expect(replaced.fingerprint).not.toBe(made.fingerprint);
    expect(replaced.last4).toBe(second.slice(-4));
    expect(replaced.replaced_at).not.toBeNull();
    expect(res.body).not.toContain(second);
    expect(await open(made.id)).toMatchObject({ secret: { value: second } });
    // The same value again gives the same fingerprint (stable within a workspace).
    const again = await call(suite.t, 'PUT', url(suite.ws, made.id), {
      token: suite.ws.ownerToken,
      payload: { secret: { value: first } },
    });
    expect(again.json<View>().fingerprint).toBe(made.fingerprint);

    const { rows } = await suite.admin.client.query<{
      action: string;
      metadata: { changed?: string[] };
      row: string;
    }>(
      `select action, metadata, row_to_json(a)::text as row from wardroom.audit_log a
        where tenant_id = $1 and targets @> $2::jsonb order by seq`,
      [suite.ws.id, JSON.stringify([{ type: 'integration_credential', id: made.id }])],
    );
    expect(rows.map((r) => r.action)).toEqual([
      'integration_credential.created',
      'integration_credential.updated',
      'integration_credential.updated',
    ]);
    expect(rows[1]?.metadata.changed).toEqual([
      'fingerprint',
      'last4',
      'replaced_at',
      'secret',
      'version',
    ]);
    for (const r of rows) {
      for (const leak of [first, second, made.fingerprint, replaced.fingerprint])
        expect(r.row).not.toContain(leak);
    }
  });

  it('revokes by wiping the sealed secret; a revoked credential cannot be opened or replaced', async () => {
    const label = `revoke ${unique()}`;
    const made = await created({
      kind: 'whatsapp_token',
      provider: 'whatsapp',
      label,
      secret: { value: `EAAG${unique()}` },
    });
    const res = await call(suite.t, 'DELETE', url(suite.ws, made.id), {
      token: suite.ws.ownerToken,
    });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect(await storedSecret(made.id)).toBeNull();
    const got = await call(suite.t, 'GET', url(suite.ws, made.id), { token: suite.ws.ownerToken });
    expect(got.json()).toMatchObject({ status: 'revoked', fingerprint: made.fingerprint });
    expect(got.json<{ revoked_at: string | null }>().revoked_at).not.toBeNull();
    await expect(open(made.id)).rejects.toMatchObject({ code: 'not_found' });
    const put = await call(suite.t, 'PUT', url(suite.ws, made.id), {
      token: suite.ws.ownerToken,
      payload: { secret: { value: `EAAG${unique()}` } },
    });
    expectError(put, 409, 'conflict');
    expectError(
      await call(suite.t, 'DELETE', url(suite.ws, made.id), { token: suite.ws.ownerToken }),
      404,
      'not_found',
    );
    // The label is free again once revoked.
    await created({
      kind: 'whatsapp_token',
      provider: 'whatsapp',
      label,
      secret: { value: `EAAG${unique()}` },
    });
    const { rows } = await suite.admin.client.query<{ metadata: { changed?: string[] } }>(
      `select metadata from wardroom.audit_log where tenant_id = $1 and targets @> $2::jsonb
        and action = 'integration_credential.updated'`,
      [suite.ws.id, JSON.stringify([{ type: 'integration_credential', id: made.id }])],
    );
    expect(rows.map((r) => r.metadata.changed)).toEqual([['revoked_at', 'secret', 'status']]);
  });
});

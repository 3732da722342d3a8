/**
 * The Vault transit fake answers HTTP the way Vault's transit engine does for
 * the endpoints Wardroom uses: token checks, versioned `vault:vN:`
 * ciphertexts, derivation contexts that really bind, rotation and
 * min_decryption_version, and deletion only once allowed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVault, type FakeVault } from '../../support/fake-vault.js';

let vault: FakeVault;
const ctxA = Buffer.from('tenant-a').toString('base64');
const ctxB = Buffer.from('tenant-b').toString('base64');

async function call(
  route: string,
  body?: Record<string, unknown>,
  token = vault.token,
): Promise<{ status: number; json: { data?: Record<string, unknown>; errors?: string[] } }> {
  const res = await fetch(`${vault.addr}/v1/transit/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'X-Vault-Token': token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: (text === '' ? {} : JSON.parse(text)) as never };
}

beforeAll(async () => {
  vault = await startFakeVault();
});
afterAll(async () => {
  await vault.close();
});

describe('fake Vault transit', () => {
  it('requires the token', async () => {
    expect(await call('keys/x', {}, 'hvs.wrong')).toEqual({
      status: 403,
      json: { errors: ['permission denied'] },
    });
  });

  it('binds derived keys to the context and answers a mismatch with 400', async () => {
    const key = `d-${randomUUID()}`;
    await call(`keys/${key}`, { derived: true });
    const plaintext = randomBytes(32).toString('base64');
    const enc = await call(`encrypt/${key}`, { plaintext, context: ctxA });
    const ciphertext = enc.json.data?.['ciphertext'];
    expect(ciphertext).toMatch(/^vault:v1:/);
    expect((await call(`decrypt/${key}`, { ciphertext, context: ctxA })).json.data).toEqual({
      plaintext,
    });
    expect(await call(`decrypt/${key}`, { ciphertext, context: ctxB })).toEqual({
      status: 400,
      json: { errors: ['cipher: message authentication failed'] },
    });
    const missing = await call(`decrypt/${key}`, { ciphertext });
    expect(missing.status).toBe(400);
    expect(missing.json.errors?.[0]).toContain("missing 'context'");
  });

  it('ignores the context of a key that is not derived, as Vault does', async () => {
    const key = `n-${randomUUID()}`;
    await call(`keys/${key}`, {});
    const enc = await call(`encrypt/${key}`, { plaintext: 'aGk=', context: ctxA });
    const dec = await call(`decrypt/${key}`, {
      ciphertext: enc.json.data?.['ciphertext'],
      context: ctxB,
    });
    expect(dec.json.data).toEqual({ plaintext: 'aGk=' });
  });

  it('rotates, rewraps to the latest version, and retires versions below min_decryption_version', async () => {
    const key = `r-${randomUUID()}`;
    await call(`keys/${key}`, { derived: true });
    const v1 = (await call(`encrypt/${key}`, { plaintext: 'aGk=', context: ctxA })).json.data?.[
      'ciphertext'
    ];
    expect((await call(`keys/${key}/rotate`, {})).json.data?.['latest_version']).toBe(2);
    const rewrapped = await call(`rewrap/${key}`, { ciphertext: v1, context: ctxA });
    expect(rewrapped.json.data).toMatchObject({ key_version: 2 });
    expect(rewrapped.json.data?.['ciphertext']).toMatch(/^vault:v2:/);
    expect((await call(`rewrap/${key}`, { ciphertext: v1, context: ctxB })).status).toBe(400);
    await call(`keys/${key}/config`, { min_decryption_version: 2 });
    const old = await call(`decrypt/${key}`, { ciphertext: v1, context: ctxA });
    expect(old.status).toBe(400);
    expect(old.json.errors?.[0]).toContain('disallowed by policy');
    const current = await call(`decrypt/${key}`, {
      ciphertext: rewrapped.json.data?.['ciphertext'],
      context: ctxA,
    });
    expect(current.json.data).toEqual({ plaintext: 'aGk=' });
  });

  it('creates data keys, with or without the plaintext', async () => {
    const key = `k-${randomUUID()}`;
    await call(`keys/${key}`, { derived: true });
    const plain = await call(`datakey/plaintext/${key}`, { context: ctxA, bits: 256 });
    expect(Buffer.from(String(plain.json.data?.['plaintext']), 'base64')).toHaveLength(32);
    const wrapped = await call(`datakey/wrapped/${key}`, { context: ctxA });
    expect(wrapped.json.data).not.toHaveProperty('plaintext');
    expect(wrapped.json.data?.['ciphertext']).toMatch(/^vault:v1:/);
    const dec = await call(`decrypt/${key}`, {
      ciphertext: plain.json.data?.['ciphertext'],
      context: ctxA,
    });
    expect(dec.json.data?.['plaintext']).toBe(plain.json.data?.['plaintext']);
  });

  it('deletes a key only once its config allows it; a deleted key opens nothing', async () => {
    const key = `del-${randomUUID()}`;
    await call(`keys/${key}`, { derived: true });
    const sealed = await call(`encrypt/${key}`, { plaintext: 'AAAA', context: ctxA });
    const remove = () =>
      fetch(`${vault.addr}/v1/transit/keys/${key}`, {
        method: 'DELETE',
        headers: { 'X-Vault-Token': vault.token },
      });
    const refused = await remove();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ errors: ['deletion is not allowed for this key'] });
    expect(vault.hasKey(key)).toBe(true);
    await call(`keys/${key}/config`, { deletion_allowed: true });
    expect((await remove()).status).toBe(204);
    expect(vault.hasKey(key)).toBe(false);
    expect(
      await call(`decrypt/${key}`, { ciphertext: sealed.json.data?.['ciphertext'], context: ctxA }),
    ).toEqual({ status: 400, json: { errors: ['encryption key not found'] } });
  });
});

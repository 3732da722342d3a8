/**
 * The vault-transit provider over fetch against the local Vault transit fake
 * (test/support/fake-vault.ts): it refuses a key that would ignore the tenant
 * binding, records the ciphertext's `vN` as the KEK version, and maps Vault's
 * answers to Wardroom's error codes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeVault, type FakeVault } from '../../support/fake-vault.js';
import {
  vaultCiphertextVersion,
  vaultTransitKek,
} from '../../../src/modules/crypto/kek/vault-transit.js';

let vault: FakeVault;
const ctx = () => ({ tenantId: randomUUID(), keyId: randomUUID(), version: 1 });

async function newKey(options: { derived: boolean }): Promise<string> {
  const name = `k-${randomUUID()}`;
  await vaultPost(`keys/${name}`, options);
  return name;
}

async function vaultPost(route: string, body: Record<string, unknown> = {}): Promise<void> {
  const res = await fetch(`${vault.addr}/v1/transit/${route}`, {
    method: 'POST',
    headers: { 'X-Vault-Token': vault.token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.ok).toBe(true);
}

beforeAll(async () => {
  vault = await startFakeVault();
});
afterAll(async () => {
  await vault.close();
});

describe('vault-transit provider', () => {
  it('records the version of the vault:vN: prefix and follows rotation', async () => {
    const key = await newKey({ derived: true });
    const provider = await vaultTransitKek({ addr: vault.addr, token: vault.token, key });
    expect(provider).toMatchObject({ id: `vault-transit:transit/${key}`, version: 1 });
    const c = ctx();
    const v1 = await provider.wrap(randomBytes(32), c);
    expect(v1.wrapped.toString()).toMatch(/^vault:v1:/);
    await vaultPost(`keys/${key}/rotate`);
    await vaultPost(`keys/${key}/rotate`);
    const generated = await provider.generateDataKey!(c);
    expect(generated.wrapped.kekVersion).toBe(3);
    expect(vaultCiphertextVersion(generated.wrapped.wrapped.toString())).toBe(3);
    expect(provider.version).toBe(3);
    const moved = await provider.rewrap!(v1, c);
    expect(moved.kekVersion).toBe(3);
    expect(vault.calls.filter((call) => call.includes(key))).toEqual([
      `POST keys/${key}`,
      `GET keys/${key}`,
      `POST encrypt/${key}`,
      `POST keys/${key}/rotate`,
      `POST keys/${key}/rotate`,
      `POST datakey/plaintext/${key}`,
      `POST rewrap/${key}`,
    ]);
  });

  it('refuses a wrapped key whose recorded version does not match its ciphertext', async () => {
    const provider = await vaultTransitKek({
      addr: vault.addr,
      token: vault.token,
      key: await newKey({ derived: true }),
    });
    const c = ctx();
    const wrapped = await provider.wrap(randomBytes(32), c);
    await expect(provider.unwrap({ ...wrapped, kekVersion: 2 }, c)).rejects.toMatchObject({
      code: 'decryption_failed',
    });
  });

  it('refuses at start a transit key that is not derived, since Vault would ignore the context', async () => {
    const key = await newKey({ derived: false });
    await expect(
      vaultTransitKek({ addr: vault.addr, token: vault.token, key }),
    ).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining('derived=true') as unknown,
    });
  });

  it('fails at start with key_unavailable for a bad token, a missing key or no server', async () => {
    const key = await newKey({ derived: true });
    await expect(
      vaultTransitKek({ addr: vault.addr, token: 'hvs.wrong', key }),
    ).rejects.toMatchObject({
      code: 'key_unavailable',
      message: expect.stringContaining('403') as unknown,
    });
    await expect(
      vaultTransitKek({ addr: vault.addr, token: vault.token, key: 'missing' }),
    ).rejects.toMatchObject({
      code: 'key_unavailable',
      message: expect.stringContaining('404') as unknown,
    });
    await expect(
      vaultTransitKek({ addr: 'http://127.0.0.1:9', token: vault.token, key, timeoutMs: 2000 }),
    ).rejects.toMatchObject({ code: 'key_unavailable' });
  });

  it('uses another mount and an explicit kek id', async () => {
    const other = await startFakeVault({ mount: 'kv/transit-eu' });
    try {
      await fetch(`${other.addr}/v1/kv/transit-eu/keys/eu`, {
        method: 'POST',
        headers: { 'X-Vault-Token': other.token },
        body: JSON.stringify({ derived: true }),
      });
      const provider = await vaultTransitKek({
        addr: `${other.addr}/`,
        token: other.token,
        mount: 'kv/transit-eu',
        key: 'eu',
        id: 'vault:eu',
      });
      const c = ctx();
      const dek = randomBytes(32);
      const wrapped = await provider.wrap(dek, c);
      expect(wrapped.kekId).toBe('vault:eu');
      expect(await provider.unwrap(wrapped, c)).toEqual(dek);
    } finally {
      await other.close();
    }
  });
});

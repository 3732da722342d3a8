/**
 * The contract every master key provider keeps, proved against each one:
 * env and file with real keys in memory, aws-kms through the official
 * @aws-sdk/client-kms against a local KMS fake, vault-transit over fetch
 * against a local Vault transit fake (no cloud service is reachable here).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKms, type FakeKms } from '../../support/fake-kms.js';
import { startFakeVault, type FakeVault } from '../../support/fake-vault.js';
import { loadConfig } from '../../../src/base/config.js';
import { keyFileText } from '../../../src/modules/crypto/kek/file.js';
import type { KekProvider, WrapContext } from '../../../src/modules/crypto/kek/provider.js';
import { createKekProvider } from '../../../src/modules/crypto/kek/registry.js';

interface Subject {
  readonly provider: KekProvider;
  /** The provider after the master key gained a newer version; older versions still configured. */
  rotate(): Promise<KekProvider>;
  /** After rotate: the provider with the first version no longer available (absent for KMS, which keeps every version). */
  retireFirst?: () => Promise<KekProvider>;
}

const b64 = (key: Buffer) => key.toString('base64');
let dir: string;
let kms: FakeKms;
let vault: FakeVault;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-kek-'));
  kms = await startFakeKms();
  vault = await startFakeVault();
});
afterAll(async () => {
  await kms.close();
  await vault.close();
  await rm(dir, { recursive: true, force: true });
});

async function provider(env: Record<string, string>): Promise<KekProvider> {
  const setup = await createKekProvider(loadConfig({ NODE_ENV: 'test', ...env }), {
    awsCredentials: kms.credentials,
  });
  return setup.provider;
}

async function vaultPost(route: string, body: Record<string, unknown> = {}): Promise<void> {
  const res = await fetch(`${vault.addr}/v1/transit/${route}`, {
    method: 'POST',
    headers: { 'X-Vault-Token': vault.token, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.ok).toBe(true);
}

const subjects: Record<string, () => Promise<Subject>> = {
  async env() {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    return {
      provider: await provider({ WARDROOM_MASTER_KEY: b64(k1) }),
      rotate: () =>
        provider({
          WARDROOM_MASTER_KEY: b64(k2),
          WARDROOM_MASTER_KEY_VERSION: '2',
          WARDROOM_MASTER_KEY_PREVIOUS: `1:${b64(k1)}`,
        }),
      retireFirst: () =>
        provider({ WARDROOM_MASTER_KEY: b64(k2), WARDROOM_MASTER_KEY_VERSION: '2' }),
    };
  },
  async file() {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const file = path.join(dir, `${randomUUID()}.json`);
    const write = async (current: number, keys: [number, Buffer][]) => {
      await writeFile(file, keyFileText({ id: 'file:test', current, keys: new Map(keys) }), {
        mode: 0o600,
      });
      return provider({ WARDROOM_MASTER_KEY_FILE: file });
    };
    return {
      provider: await write(1, [[1, k1]]),
      rotate: () =>
        write(2, [
          [1, k1],
          [2, k2],
        ]),
      retireFirst: () => write(2, [[2, k2]]),
    };
  },
  async 'aws-kms'() {
    const alias = `wardroom-${randomUUID()}`;
    const { keyId } = kms.createKey({ alias });
    const env = {
      WARDROOM_KEK_PROVIDER: 'aws-kms',
      WARDROOM_AWS_KMS_KEY_ID: `alias/${alias}`,
      AWS_REGION: kms.region,
      WARDROOM_AWS_KMS_ENDPOINT: kms.endpoint,
    };
    return {
      provider: await provider(env),
      rotate: () => {
        kms.rotate(keyId);
        return provider({ ...env, WARDROOM_AWS_KMS_KEY_VERSION: '2' });
      },
    };
  },
  async 'vault-transit'() {
    const name = `wardroom-${randomUUID()}`;
    await vaultPost(`keys/${name}`, { derived: true });
    const env = {
      WARDROOM_KEK_PROVIDER: 'vault-transit',
      VAULT_ADDR: vault.addr,
      VAULT_TOKEN: vault.token,
      WARDROOM_VAULT_TRANSIT_KEY: name,
    };
    return {
      provider: await provider(env),
      rotate: async () => {
        await vaultPost(`keys/${name}/rotate`);
        return provider(env);
      },
      retireFirst: async () => {
        await vaultPost(`keys/${name}/config`, { min_decryption_version: 2 });
        return provider(env);
      },
    };
  },
};

const context = (): WrapContext => ({ tenantId: randomUUID(), keyId: randomUUID(), version: 1 });

describe.each(Object.keys(subjects))('KEK provider %s', (kind) => {
  let s: Subject;
  beforeAll(async () => {
    s = await subjects[kind]!();
  });
  afterAll(() => {
    s.provider.close?.();
  });

  it('wraps and unwraps a data key, recording its KEK id and version', async () => {
    const ctx = context();
    const dek = randomBytes(32);
    const wrapped = await s.provider.wrap(dek, ctx);
    expect(wrapped.kekId).toBe(s.provider.id);
    expect(wrapped.kekVersion).toBe(s.provider.version);
    expect(wrapped.wrapped.includes(dek)).toBe(false);
    expect(await s.provider.unwrap(wrapped, ctx)).toEqual(dek);
  });

  it('refuses to unwrap under another tenant, data key id or data key version', async () => {
    const ctx = context();
    const wrapped = await s.provider.wrap(randomBytes(32), ctx);
    for (const other of [
      { ...ctx, tenantId: randomUUID() },
      { ...ctx, keyId: randomUUID() },
      { ...ctx, version: 2 },
    ]) {
      await expect(s.provider.unwrap(wrapped, other)).rejects.toMatchObject({
        code: 'decryption_failed',
      });
    }
  });

  it('answers key_unavailable for a KEK id it is not configured with', async () => {
    const ctx = context();
    const wrapped = await s.provider.wrap(randomBytes(32), ctx);
    await expect(
      s.provider.unwrap({ ...wrapped, kekId: `${s.provider.id}-elsewhere` }, ctx),
    ).rejects.toMatchObject({ code: 'key_unavailable' });
    await expect(
      s.provider.rewrap!({ ...wrapped, kekId: 'env:another' }, ctx),
    ).rejects.toMatchObject({ code: 'key_unavailable' });
  });

  it('rewraps to the current version; the old wrapped key unwraps while its version is configured', async () => {
    const subject = await subjects[kind]!();
    const ctx = context();
    const dek = randomBytes(32);
    const old = await subject.provider.wrap(dek, ctx);
    const rotated = await subject.rotate();
    expect(rotated.id).toBe(subject.provider.id);
    expect(rotated.version).toBeGreaterThan(old.kekVersion);

    const moved = await rotated.rewrap!(old, ctx);
    expect(moved).toMatchObject({ kekId: old.kekId, kekVersion: rotated.version });
    expect(moved.wrapped.equals(old.wrapped)).toBe(false);
    expect(await rotated.unwrap(moved, ctx)).toEqual(dek);
    expect(await rotated.unwrap(old, ctx)).toEqual(dek);
    expect((await rotated.wrap(dek, ctx)).kekVersion).toBe(rotated.version);
    await expect(rotated.rewrap!(old, { ...ctx, tenantId: randomUUID() })).rejects.toMatchObject({
      code: 'decryption_failed',
    });

    if (subject.retireFirst !== undefined) {
      const retired = await subject.retireFirst();
      await expect(retired.unwrap(old, ctx)).rejects.toMatchObject({ code: 'key_unavailable' });
      expect(await retired.unwrap(moved, ctx)).toEqual(dek);
      retired.close?.();
    }
    subject.provider.close?.();
    rotated.close?.();
  });

  it('generates data keys bound to their context when the provider offers it', async () => {
    if (s.provider.generateDataKey === undefined) {
      expect(['env', 'file']).toContain(kind);
      return;
    }
    const ctx = context();
    const generated = await s.provider.generateDataKey(ctx);
    expect(generated.plaintext).toHaveLength(32);
    expect(generated.wrapped).toMatchObject({
      kekId: s.provider.id,
      kekVersion: s.provider.version,
    });
    expect(await s.provider.unwrap(generated.wrapped, ctx)).toEqual(generated.plaintext);
    await expect(
      s.provider.unwrap(generated.wrapped, { ...ctx, tenantId: randomUUID() }),
    ).rejects.toMatchObject({ code: 'decryption_failed' });
  });
});

describe('file provider permissions', () => {
  it.skipIf(process.platform === 'win32')(
    'refuses a key file that group or others can read',
    async () => {
      const file = path.join(dir, 'open.json');
      await writeFile(
        file,
        keyFileText({ id: 'file:open', current: 1, keys: new Map([[1, randomBytes(32)]]) }),
      );
      for (const mode of [0o644, 0o640, 0o604]) {
        await chmod(file, mode);
        await expect(provider({ WARDROOM_MASTER_KEY_FILE: file })).rejects.toMatchObject({
          code: 'config_invalid',
          message: expect.stringContaining('chmod 600') as unknown,
        });
      }
      await chmod(file, 0o600);
      expect((await provider({ WARDROOM_MASTER_KEY_FILE: file })).id).toBe('file:open');
    },
  );
});

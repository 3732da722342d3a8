/**
 * Choosing and configuring the master key provider: the environment is
 * validated once by the config schema, versions come from configuration
 * (never from key bytes), secrets never print, and the development key is a
 * private `file` provider file that production refuses to create.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../base/config.js';
import { localKek } from './local.js';
import { createKekProvider } from './registry.js';

const b64 = (key: Buffer) => key.toString('base64');
const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-kek-registry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('master key configuration', () => {
  it('reads the env provider with explicit, stable versions and an id not derived from key bytes', () => {
    const [k1, k2, k3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const kek = config({
      WARDROOM_MASTER_KEY: b64(k3),
      WARDROOM_MASTER_KEY_VERSION: '3',
      WARDROOM_MASTER_KEY_PREVIOUS: `1:${b64(k1)}, 2:${b64(k2)}`,
    }).kek;
    expect(kek.provider).toBe('env');
    if (kek.provider !== 'env') return;
    expect(kek.id).toBe('env:default');
    expect(kek.current).toBe(3);
    expect([...kek.keys.reveal()].sort(([a], [b]) => a - b)).toEqual([
      [1, k1],
      [2, k2],
      [3, k3],
    ]);
    const other = config({ WARDROOM_MASTER_KEY: b64(randomBytes(32)) }).kek;
    expect(other).toMatchObject({ provider: 'env', id: 'env:default', current: 1 });
    expect(config({ WARDROOM_MASTER_KEY: b64(k1), WARDROOM_KEK_ID: 'env:eu' }).kek).toMatchObject({
      id: 'env:eu',
    });
  });

  it.each([
    [{ WARDROOM_MASTER_KEY_PREVIOUS: 'not-a-list' }, 'WARDROOM_MASTER_KEY_PREVIOUS'],
    [{ WARDROOM_MASTER_KEY_PREVIOUS: `1:${b64(randomBytes(16))}` }, 'WARDROOM_MASTER_KEY_PREVIOUS'],
    [
      { WARDROOM_MASTER_KEY_PREVIOUS: `1:${b64(randomBytes(32))},1:${b64(randomBytes(32))}` },
      'listed twice',
    ],
    [{ WARDROOM_MASTER_KEY_PREVIOUS: `1:${b64(randomBytes(32))}` }, 'is the current'],
    [{ WARDROOM_MASTER_KEY_VERSION: '0' }, 'WARDROOM_MASTER_KEY_VERSION'],
    [{ WARDROOM_KEK_ID: 'has space' }, 'WARDROOM_KEK_ID'],
    [{ WARDROOM_MASTER_KEY_FILE: '/x.json' }, 'choose env or file'],
    [{ WARDROOM_KEK_PROVIDER: 'aws-kms' }, 'WARDROOM_AWS_KMS_KEY_ID: required'],
    [{ WARDROOM_KEK_PROVIDER: 'vault-transit' }, 'VAULT_TOKEN: required'],
    [{ WARDROOM_KEK_PROVIDER: 'hsm' }, 'WARDROOM_KEK_PROVIDER'],
  ])('refuses %j', (env, problem) => {
    expect(() => config({ WARDROOM_MASTER_KEY: b64(randomBytes(32)), ...env })).toThrow(problem);
  });

  it('refuses WARDROOM_KEK_ID with the file provider, whose id is in the file', () => {
    expect(() =>
      config({ WARDROOM_MASTER_KEY_FILE: '/k.json', WARDROOM_KEK_ID: 'file:x' }),
    ).toThrow('"id" field of the key file');
  });

  it('never prints key material or the Vault token', () => {
    const key = randomBytes(32);
    const env = config({ WARDROOM_MASTER_KEY: b64(key) });
    const vault = config({
      WARDROOM_KEK_PROVIDER: 'vault-transit',
      VAULT_ADDR: 'https://vault.example.test:8200',
      VAULT_TOKEN: 'hvs.very-secret-token',
      WARDROOM_VAULT_TRANSIT_KEY: 'wardroom',
    });
    for (const shown of [
      JSON.stringify(env),
      inspect(env, { depth: 9 }),
      JSON.stringify(vault),
      inspect(vault, { depth: 9 }),
    ]) {
      expect(shown).not.toContain(b64(key));
      expect(shown).not.toContain(key.toString('hex'));
      expect(shown).not.toContain('very-secret');
    }
  });

  it('picks the provider: env, file, explicit, or the development file', () => {
    expect(config({ WARDROOM_MASTER_KEY: b64(randomBytes(32)) }).kek.provider).toBe('env');
    expect(config({ WARDROOM_MASTER_KEY_FILE: 'k.json' }).kek).toEqual({
      provider: 'file',
      file: path.resolve('k.json'),
    });
    expect(
      config({
        WARDROOM_KEK_PROVIDER: 'aws-kms',
        WARDROOM_AWS_KMS_KEY_ID: 'alias/wardroom',
        AWS_REGION: 'eu-west-1',
        WARDROOM_MASTER_KEY: b64(randomBytes(32)),
      }).kek,
    ).toMatchObject({ provider: 'aws-kms', keyId: 'alias/wardroom', version: 1, id: undefined });
    expect(config({}).kek).toEqual({ provider: 'development' });
  });
});

describe('development master key', () => {
  it('is refused when NODE_ENV=production', async () => {
    const dataDir = path.join(dir, randomUUID());
    const production = loadConfig({ NODE_ENV: 'production', WARDROOM_DATA_DIR: dataDir });
    await expect(createKekProvider(production)).rejects.toMatchObject({
      code: 'config_invalid',
      message: expect.stringContaining('WARDROOM_MASTER_KEY is required') as unknown,
    });
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('is a private key file in the file provider format, created once and reused', async () => {
    const dataDir = path.join(dir, randomUUID());
    const dev = config({ WARDROOM_DATA_DIR: dataDir });
    const [first, second] = await Promise.all([createKekProvider(dev), createKekProvider(dev)]);
    const file = path.join(dataDir, 'master-key.json');
    expect(first.developmentKeyFile).toBe(file);
    expect(first.provider).toMatchObject({ id: 'file:development', version: 1 });
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      id: 'file:development',
      current: 1,
      keys: { '1': expect.any(String) as unknown },
    });

    const ctx = { tenantId: randomUUID(), keyId: randomUUID(), version: 1 };
    const dek = randomBytes(32);
    expect(await second.provider.unwrap(await first.provider.wrap(dek, ctx), ctx)).toEqual(dek);
    const again = await createKekProvider(dev);
    expect(await again.provider.unwrap(await first.provider.wrap(dek, ctx), ctx)).toEqual(dek);
  });

  it('adopts a bare master.key from an older data directory under the id its data keys were recorded with', async () => {
    const dataDir = path.join(dir, randomUUID());
    const key = randomBytes(32);
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    await writeFile(path.join(dataDir, 'master.key'), b64(key), { mode: 0o600 });
    const legacyId = `local:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
    const ctx = { tenantId: randomUUID(), keyId: randomUUID(), version: 1 };
    const dek = randomBytes(32);
    const recorded = await localKek(key, 1, legacyId).wrap(dek, ctx);

    const adopted = await createKekProvider(config({ WARDROOM_DATA_DIR: dataDir }));
    expect(adopted.provider.id).toBe(legacyId);
    expect(await adopted.provider.unwrap(recorded, ctx)).toEqual(dek);
  });
});

describe('localKek', () => {
  it('interoperates with the env provider given the same key', async () => {
    const key = randomBytes(32);
    const env = await createKekProvider(config({ WARDROOM_MASTER_KEY: b64(key) }));
    const ctx = { tenantId: randomUUID(), keyId: randomUUID(), version: 1 };
    const dek = randomBytes(32);
    expect(await env.provider.unwrap(await localKek(key).wrap(dek, ctx), ctx)).toEqual(dek);
    await expect(
      localKek(randomBytes(32)).unwrap(await env.provider.wrap(dek, ctx), ctx),
    ).rejects.toMatchObject({ code: 'decryption_failed' });
  });
});

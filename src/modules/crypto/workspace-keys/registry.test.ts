/**
 * Choosing the workspace key store: key files under the data directory by
 * default (or WARDROOM_WORKSPACE_KEY_DIR) for the env, file and development
 * providers, private to their owner; a directory others may read is
 * refused; Vault gets a transit key per workspace.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../base/config.js';
import { createWorkspaceKeyStore } from './registry.js';

const config = (env: Record<string, string>) =>
  loadConfig({ NODE_ENV: 'test', WARDROOM_MASTER_KEY: randomBytes(32).toString('base64'), ...env });
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-roots-registry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('workspace key store configuration', () => {
  it('keeps key files in <data dir>/workspace-keys by default, 0700 and 0600', async () => {
    const dataDir = path.join(dir, 'data');
    const store = await createWorkspaceKeyStore(config({ WARDROOM_DATA_DIR: dataDir }));
    expect(store.kind).toBe('file');
    const tenant = randomUUID();
    const root = await store.create(tenant);
    const keyDir = path.join(dataDir, 'workspace-keys');
    expect(await readdir(keyDir)).toEqual([root.ref]);
    expect((await stat(keyDir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(keyDir, root.ref))).mode & 0o777).toBe(0o600);
    const secret = await store.open(tenant, root);
    expect(secret).toHaveLength(32);
    await store.destroy(tenant, root);
    expect(await readdir(keyDir)).toEqual([]);
    await expect(store.open(tenant, root)).rejects.toMatchObject({ code: 'key_unavailable' });
    await store.destroy(tenant, root); // already gone: not an error
  });

  it('honours WARDROOM_WORKSPACE_KEY_DIR and refuses a directory others may access', async () => {
    const own = path.join(dir, 'own-keys');
    const store = await createWorkspaceKeyStore(config({ WARDROOM_WORKSPACE_KEY_DIR: own }));
    expect(store.description).toBe(`file ${own}`);
    const open = path.join(dir, 'open-keys');
    await mkdir(open, { mode: 0o755 });
    await chmod(open, 0o755);
    await expect(
      createWorkspaceKeyStore(config({ WARDROOM_WORKSPACE_KEY_DIR: open })),
    ).rejects.toMatchObject({ code: 'config_invalid' });
  });

  it('uses a transit key per workspace with vault-transit', async () => {
    const store = await createWorkspaceKeyStore(
      loadConfig({
        NODE_ENV: 'test',
        WARDROOM_KEK_PROVIDER: 'vault-transit',
        VAULT_ADDR: 'http://127.0.0.1:1',
        VAULT_TOKEN: 'hvs.test',
        WARDROOM_VAULT_TRANSIT_KEY: 'wardroom',
      }),
    );
    expect(store.kind).toBe('vault-transit');
    expect(store.description).toBe('vault-transit transit/wardroom-ws-<workspace>');
  });
});

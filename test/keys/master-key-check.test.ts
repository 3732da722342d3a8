/**
 * A master key changed under an existing data folder stops startup with
 * `master_key_mismatch`, naming the problem and the fix, instead of letting
 * every request fail; and the documented move from the development (file)
 * master key to an env master key: the env provider takes the file's KEK id
 * and keeps the development key as a previous version, `keys rotate-master`
 * rewraps, and afterwards the env key alone opens everything.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWardroom } from '../../src/app.js';
import { loadConfig } from '../../src/base/config.js';
import {
  checkMasterKey,
  createKekProvider,
  localKek,
  writeMasterKeyCheck,
} from '../../src/modules/crypto/index.js';
import { createKeyring } from '../../src/modules/keys/keyring.js';
import { rotateMaster } from '../../src/modules/keys/rotation/rewrap-master.js';
import { listMessages } from '../../src/modules/workrooms/messages.js';
import { newFilledWorkspace, principal, startProcess, type Process } from '../support/keys.js';
import { testRoots } from '../support/root-keys.js';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-kek-check-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
const b64 = (key: Buffer) => key.toString('base64');
const mismatch = {
  code: 'master_key_mismatch',
  message: expect.stringContaining('wardroom keys rotate-master') as unknown,
};

describe('startup with a master key changed under the data folder', () => {
  it('createWardroom refuses another WARDROOM_MASTER_KEY before starting anything', async () => {
    const dir = await dataDir();
    await checkMasterKey(localKek(randomBytes(32)), dir);
    const config = loadConfig({
      WARDROOM_DATA_DIR: dir,
      WARDROOM_MASTER_KEY: b64(randomBytes(32)),
    });
    await expect(createWardroom(config)).rejects.toMatchObject(mismatch);
  });

  it('refuses a regenerated development key, and an env key replacing it', async () => {
    const dir = await dataDir();
    const dev = loadConfig({ WARDROOM_DATA_DIR: dir });
    await checkMasterKey((await createKekProvider(dev)).provider, dir);
    await rm(path.join(dir, 'master-key.json'));
    const regenerated = (await createKekProvider(dev)).provider;
    await expect(checkMasterKey(regenerated, dir)).rejects.toMatchObject(mismatch);
    const env = loadConfig({ WARDROOM_DATA_DIR: dir, WARDROOM_MASTER_KEY: b64(randomBytes(32)) });
    await expect(createWardroom(env)).rejects.toMatchObject({
      code: 'master_key_mismatch',
      message: expect.stringContaining('file:development v1') as unknown,
    });
  });
});

describe('moving from the development key file to an env master key', () => {
  let before: Process;
  beforeAll(async () => {
    before = await startProcess({ listen: false });
  });
  afterAll(async () => {
    await before.close();
  });

  it('works with the file KEK id and the old key as a previous version, then the env key alone', async () => {
    const dir = await dataDir();
    const fileKek = (await createKekProvider(loadConfig({ WARDROOM_DATA_DIR: dir }))).provider;
    await checkMasterKey(fileKek, dir);
    const devKey = (
      JSON.parse(await readFile(path.join(dir, 'master-key.json'), 'utf8')) as {
        keys: Record<string, string>;
      }
    ).keys['1'];
    const writer = await startProcess({ kek: fileKek, listen: false });
    const ws = await newFilledWorkspace(writer, 3);
    await writer.close();

    const newKey = b64(randomBytes(32));
    // With a new id the env provider cannot read what the file wrapped.
    const plainEnv = await createKekProvider(
      loadConfig({ WARDROOM_DATA_DIR: dir, WARDROOM_MASTER_KEY: newKey }),
    );
    await expect(checkMasterKey(plainEnv.provider, dir)).rejects.toMatchObject(mismatch);

    const moving = await createKekProvider(
      loadConfig({
        WARDROOM_DATA_DIR: dir,
        WARDROOM_KEK_ID: 'file:development',
        WARDROOM_MASTER_KEY: newKey,
        WARDROOM_MASTER_KEY_VERSION: '2',
        WARDROOM_MASTER_KEY_PREVIOUS: `1:${devKey ?? ''}`,
      }),
    );
    await checkMasterKey(moving.provider, dir);
    const result = await rotateMaster(before.db, moving.provider, { workspaces: [ws.tenantId] });
    expect(result).toMatchObject({ failed: [], rewrapped: 1 });
    await writeMasterKeyCheck(moving.provider, dir);

    await rm(path.join(dir, 'master-key.json'));
    const envOnly = (
      await createKekProvider(
        loadConfig({
          WARDROOM_DATA_DIR: dir,
          WARDROOM_KEK_ID: 'file:development',
          WARDROOM_MASTER_KEY: newKey,
          WARDROOM_MASTER_KEY_VERSION: '2',
        }),
      )
    ).provider;
    await checkMasterKey(envOnly, dir);
    const keyring = createKeyring(envOnly, { roots: testRoots });
    const page = await before.db.withTenant(principal(ws.tenantId), (tx) =>
      listMessages(tx, keyring, { conversationId: ws.conversationId, limit: 200 }),
    );
    expect(page.items.map((m) => m.content).sort()).toEqual([...ws.messages.values()].sort());
  });
});

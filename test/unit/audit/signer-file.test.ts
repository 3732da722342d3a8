/**
 * The generated development audit signing key is a secret file, held to the
 * same rule as the master key file: one that group or others may access is
 * refused at startup, naming the file and the fix, as ssh refuses a private key.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAuditSigner } from '../../../src/modules/audit/signer.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wardroom-signer-'));
  dirs.push(dir);
  return dir;
}

describe('development audit signing key file', () => {
  it.skipIf(process.platform === 'win32')(
    'is refused when group or others can access it, naming the file and chmod 600',
    async () => {
      const dir = await dataDir();
      const file = path.join(dir, 'audit-signing.key');
      await writeFile(file, randomBytes(32).toString('base64'));
      for (const mode of [0o644, 0o640, 0o604, 0o660]) {
        await chmod(file, mode);
        await expect(
          loadAuditSigner({ seed: undefined, dataDir: dir, isProduction: false }),
        ).rejects.toMatchObject({
          code: 'config_invalid',
          message: expect.stringMatching(new RegExp(`${file}.*chmod 600 ${file}`)) as unknown,
        });
      }
      await chmod(file, 0o600);
      const loaded = await loadAuditSigner({ seed: undefined, dataDir: dir, isProduction: false });
      expect(loaded.isDevelopmentKey).toBe(true);
    },
  );

  it('is generated private to its owner and loads again', async () => {
    const dir = await dataDir();
    const first = await loadAuditSigner({ seed: undefined, dataDir: dir, isProduction: false });
    const again = await loadAuditSigner({ seed: undefined, dataDir: dir, isProduction: false });
    expect(again.signer.publicKey).toEqual(first.signer.publicKey);
  });
});

/**
 * The development master key. Production must configure a master key
 * provider (WARDROOM_MASTER_KEY, WARDROOM_MASTER_KEY_FILE or a KMS); a
 * development machine gets a generated key file in the `file` provider's
 * format in the data directory, announced loudly, and never when
 * NODE_ENV=production.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../../base/config.js';
import { AppError } from '../../../base/errors.js';
import { keyFileText } from './file.js';

export const DEVELOPMENT_KEK_ID = 'file:development';

/** Creates (once) and returns the path of the development key file, `<dataDir>/master-key.json`. */
export async function ensureDevelopmentKeyFile(
  config: Pick<Config, 'env' | 'dataDir'>,
): Promise<string> {
  if (config.env === 'production') {
    throw new AppError(
      'config_invalid',
      'WARDROOM_MASTER_KEY is required when NODE_ENV=production (base64 of 32 random bytes: ' +
        '`openssl rand -base64 32`), or choose another master key provider with ' +
        'WARDROOM_MASTER_KEY_FILE or WARDROOM_KEK_PROVIDER=aws-kms|vault-transit',
    );
  }
  const file = path.join(config.dataDir, 'master-key.json');
  await fs.mkdir(config.dataDir, { recursive: true, mode: 0o711 });
  if (await exists(file)) return file;
  // A data directory from before key files had ids holds a bare base64 key in
  // `master.key`; its data keys were recorded under an id derived from the key.
  const legacy = path.join(config.dataDir, 'master.key');
  let key = randomBytes(32);
  let id = DEVELOPMENT_KEK_ID;
  if (await exists(legacy)) {
    key = Buffer.from((await fs.readFile(legacy, 'utf8')).trim(), 'base64');
    if (key.length !== 32) {
      throw new AppError('config_invalid', `${legacy} does not hold a 32-byte base64 key`);
    }
    id = `local:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
  }
  // Write a private temporary file and link it into place: concurrent starters
  // (server and CLI) agree on one key, and nobody reads a half-written file.
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(tmp, keyFileText({ id, current: 1, keys: new Map([[1, key]]) }), {
      mode: 0o600,
      flag: 'wx',
    });
    await fs.link(tmp, file).catch((error: unknown) => {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    });
  } finally {
    key.fill(0);
    await fs.rm(tmp, { force: true });
  }
  return file;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return false;
    throw error;
  }
}

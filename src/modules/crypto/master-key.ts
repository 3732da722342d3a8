/**
 * Where the master key comes from. Production must configure one
 * (WARDROOM_MASTER_KEY); a development machine gets a generated key file in
 * the data directory, announced loudly, and never when NODE_ENV=production.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../config.js';
import { AppError } from '../../errors.js';

export interface MasterKeySource {
  readonly key: Buffer;
  readonly isDevelopmentKey: boolean;
  readonly file?: string;
}

export async function loadMasterKey(config: Config): Promise<MasterKeySource> {
  if (config.masterKey !== undefined) return { key: config.masterKey, isDevelopmentKey: false };
  if (config.env === 'production') {
    throw new AppError(
      'config_invalid',
      'WARDROOM_MASTER_KEY is required when NODE_ENV=production (base64 of 32 random bytes: `openssl rand -base64 32`)',
    );
  }
  const file = path.join(config.dataDir, 'master.key');
  await fs.mkdir(config.dataDir, { recursive: true, mode: 0o711 });
  try {
    await fs.writeFile(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const key = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64');
  if (key.length !== 32)
    throw new AppError('config_invalid', `${file} does not hold a 32-byte base64 key`);
  return { key, isDevelopmentKey: true, file };
}

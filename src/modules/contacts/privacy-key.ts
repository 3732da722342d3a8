/**
 * The privacy index key: 32 bytes from WARDROOM_PRIVACY_INDEX_KEY (base64)
 * or, outside production only, a file generated once in the data directory
 * (`privacy-index.key`, mode 600), as the auth secret is. Every blind index
 * and suppression entry depends on it: changing it makes existing contacts
 * unfindable by email and forgets every opt-out, so it is kept, and backed
 * up, like the master key.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../base/errors.js';
import { readPrivateFile } from '../crypto/index.js';

export interface PrivacyIndexKey {
  readonly key: Buffer;
  readonly isDevelopmentKey: boolean;
}

export async function loadPrivacyIndexKey(options: {
  key: Buffer | undefined;
  dataDir: string;
  isProduction: boolean;
}): Promise<PrivacyIndexKey> {
  if (options.key !== undefined) return { key: options.key, isDevelopmentKey: false };
  if (options.isProduction) {
    throw new AppError(
      'config_invalid',
      'WARDROOM_PRIVACY_INDEX_KEY is required when NODE_ENV=production (base64 of 32 random bytes)',
    );
  }
  const file = path.join(options.dataDir, 'privacy-index.key');
  await fs.mkdir(options.dataDir, { recursive: true, mode: 0o711 });
  try {
    await fs.writeFile(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  const key = Buffer.from((await readPrivateFile(file, 'privacy index key file')).trim(), 'base64');
  if (key.length !== 32) {
    throw new AppError('config_invalid', `${file} must hold base64 of 32 bytes`);
  }
  return { key, isDevelopmentKey: true };
}

/**
 * The master key check: a known value wrapped by the master key that wrote
 * the data of a data folder, kept beside it in
 * `<data dir>/master-key-check.json`. At startup the configured provider
 * must unwrap it, so a master key changed under existing data (a regenerated
 * development key, a WARDROOM_MASTER_KEY set later) stops startup with
 * `master_key_mismatch` instead of failing every request that needs a key.
 * `keys rotate-master` writes it again under the new key after a clean run.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError, isAppError } from '../../../base/errors.js';
import type { KekProvider, WrapContext } from './provider.js';

const NIL = '00000000-0000-0000-0000-000000000000';
const CONTEXT: WrapContext = { tenantId: NIL, keyId: NIL, version: 1 };
/** What is wrapped: 32 bytes, like a data key, of a fixed value. */
const KNOWN = Buffer.alloc(32, 0x5a);

const checkSchema = z.strictObject({
  kek_id: z.string(),
  kek_version: z.number().int(),
  wrapped: z.base64(),
});

export function masterKeyCheckFile(dataDir: string): string {
  return path.join(dataDir, 'master-key-check.json');
}

/** Verifies the check of `dataDir` with `kek`, or writes one when there is none. */
export async function checkMasterKey(kek: KekProvider, dataDir: string): Promise<void> {
  const file = masterKeyCheckFile(dataDir);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') {
      await writeMasterKeyCheck(kek, dataDir);
      return;
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = checkSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'config_invalid',
      `${file} is not a master key check: restore it, or delete it to write a new one at the next start`,
    );
  }
  const { kek_id: kekId, kek_version: kekVersion } = parsed.data;
  const wrapped = { kekId, kekVersion, wrapped: Buffer.from(parsed.data.wrapped, 'base64') };
  let opened: Buffer;
  try {
    opened = await kek.unwrap(wrapped, CONTEXT);
  } catch (error) {
    if (!isAppError(error) || !['key_unavailable', 'decryption_failed'].includes(error.code)) {
      throw error;
    }
    throw mismatch(kek, `${kekId} v${kekVersion}`, dataDir, error);
  }
  const same = opened.equals(KNOWN);
  opened.fill(0);
  if (!same) throw mismatch(kek, `${kekId} v${kekVersion}`, dataDir, undefined);
}

/** Writes the check of `dataDir` under `kek`'s current version (replacing any). */
export async function writeMasterKeyCheck(kek: KekProvider, dataDir: string): Promise<void> {
  const wrapped = await kek.wrap(KNOWN, CONTEXT);
  const text = JSON.stringify({
    kek_id: wrapped.kekId,
    kek_version: wrapped.kekVersion,
    wrapped: wrapped.wrapped.toString('base64'),
  });
  await fs.mkdir(dataDir, { recursive: true, mode: 0o711 });
  const file = masterKeyCheckFile(dataDir);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(tmp, `${text}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
}

function mismatch(kek: KekProvider, wrote: string, dataDir: string, cause: unknown): AppError {
  return new AppError(
    'master_key_mismatch',
    `The configured master key (${kek.id} v${kek.version}) is not the one that wrote the data in ` +
      `${dataDir} (${wrote}): every request would fail. Configure that master key again ` +
      '(for the development key, restore master-key.json in the data folder); to move to another ' +
      'master key, keep the old one readable beside it and run `wardroom keys rotate-master` ' +
      '(docs/keys.md).',
    cause === undefined ? {} : { cause },
  );
}

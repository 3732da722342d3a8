/**
 * The `file` provider: master key versions in a JSON file
 * (WARDROOM_MASTER_KEY_FILE), also the format of the generated development key:
 *
 *   {"id": "file:main", "current": 2, "keys": {"1": "<base64>", "2": "<base64>"}}
 *
 * The file must be private to its owner: one readable (or writable) by group
 * or others is refused. Add a version by adding a key and raising `current`;
 * keep older versions until every data key has been rewrapped.
 */
import { z } from 'zod';
import { keyVersionSchema, kekIdSchema, masterKey } from '../../../base/config.js';
import { AppError } from '../../../base/errors.js';
import { readPrivateFile } from '../private-file.js';
import { localKeks, type LocalKeySet } from './local.js';
import type { KekProvider } from './provider.js';

const keyFileSchema = z
  .object({
    id: kekIdSchema,
    current: keyVersionSchema,
    keys: z.record(z.string().regex(/^[1-9][0-9]{0,9}$/, 'a key version'), masterKey),
  })
  .strict()
  .refine((f) => Object.hasOwn(f.keys, String(f.current)), {
    message: '"current" must name a version present in "keys"',
  });

export type KeyFile = z.infer<typeof keyFileSchema>;

/** Reads and validates a key file, refusing one that group or others can access. */
export async function readKeyFile(file: string): Promise<LocalKeySet> {
  const text = await readPrivateFile(file, 'master key file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message can quote file content; never chain it.
    throw new AppError('config_invalid', `Master key file ${file} is not valid JSON`);
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${i.path.join('.') || '(file)'}: ${i.message}`,
    );
    throw new AppError(
      'config_invalid',
      `Master key file ${file} is invalid:\n  ${problems.join('\n  ')}`,
    );
  }
  const keys = new Map<number, Buffer>();
  for (const [version, key] of Object.entries(parsed.data.keys)) {
    keys.set(Number(version), Buffer.from(key, 'base64'));
  }
  return { id: parsed.data.id, current: parsed.data.current, keys };
}

/** The text of a key file holding the given versions. */
export function keyFileText(set: LocalKeySet): string {
  const keys: Record<string, string> = {};
  for (const [version, key] of [...set.keys].sort(([a], [b]) => a - b)) {
    keys[String(version)] = Buffer.from(key).toString('base64');
  }
  const file: KeyFile = { id: set.id, current: set.current, keys };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export async function fileKek(file: string): Promise<KekProvider> {
  return localKeks(await readKeyFile(file));
}

/**
 * Reading a secret file (a master key file, the development audit signing
 * key): like ssh with a private key, a file that group or others may access
 * is refused, naming the file and the fix.
 */
import fs from 'node:fs/promises';
import { AppError } from '../../base/errors.js';

/** The text of `file`, which must be a regular file private to its owner. `what` names it in errors. */
export async function readPrivateFile(file: string, what: string): Promise<string> {
  const handle = await fs.open(file, 'r').catch((error: unknown) => {
    throw new AppError('config_invalid', `Cannot open ${what} ${file}`, { cause: error });
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new AppError('config_invalid', `${file} is not a regular file`);
    // POSIX permissions only; Windows reports no group/other bits worth checking.
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new AppError(
        'config_invalid',
        `${capitalised(what)} ${file} is accessible by group or others (mode ${mode}); ` +
          `it must be private to its owner: chmod 600 ${file}`,
      );
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

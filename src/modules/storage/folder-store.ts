/**
 * The embedded object store: files under a folder of the data directory
 * (`<data dir>/objects` by default), one file per object at the path its key
 * names. A body is written to `<root>/.incoming/` first and renamed into
 * place once complete, so a reader never sees half an object and a failed
 * upload leaves nothing under `tenants/`. Folders are 0700, files 0600.
 * Keys are checked where they are built (object-key.ts); the resolved path
 * is checked to stay under the root again here all the same.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../base/errors.js';
import { workspacePrefix, type ObjectKey } from './object-key.js';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.js';

function isMissing(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function notFound(): AppError {
  return new AppError('not_found', 'No such object');
}

export function folderStore(root: string): ObjectStore {
  const base = path.resolve(root);
  const incoming = path.join(base, '.incoming');

  const fileOf = (key: string): string => {
    const file = path.resolve(base, ...key.split('/'));
    const rel = path.relative(base, file);
    if (rel.startsWith('..') || path.isAbsolute(rel) || !rel.startsWith(`tenants${path.sep}`)) {
      throw new AppError('object_key_invalid', 'Object key resolves outside the store');
    }
    return file;
  };

  const info = async (file: string): Promise<ObjectInfo | undefined> => {
    try {
      const stat = await fs.stat(file);
      return stat.isFile() ? { size: stat.size, lastModified: stat.mtime } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  };

  return {
    kind: 'folder',
    description: base,
    async put(key: ObjectKey, body: ObjectBody) {
      const file = fileOf(key);
      await fs.mkdir(incoming, { recursive: true, mode: 0o700 });
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      const temp = path.join(incoming, randomUUID());
      try {
        await pipeline(Readable.from(body), createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
        await fs.rename(temp, file);
      } catch (error) {
        await fs.rm(temp, { force: true });
        throw error;
      }
      const stored = await info(file);
      if (stored === undefined) throw notFound();
      return stored;
    },
    async get(key) {
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(fileOf(key), 'r');
      } catch (error) {
        if (isMissing(error)) throw notFound();
        throw error;
      }
      return handle.createReadStream();
    },
    head: (key) => info(fileOf(key)),
    async exists(key) {
      return (await info(fileOf(key))) !== undefined;
    },
    async delete(key) {
      await fs.rm(fileOf(key), { force: true });
    },
    async deletePrefix(workspaceId) {
      const dir = fileOf(workspacePrefix(workspaceId).slice(0, -1));
      const count = await countFiles(dir);
      await fs.rm(dir, { recursive: true, force: true });
      return count;
    },
    close() {},
  };
}

async function countFiles(dir: string): Promise<number> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch (error) {
    if (isMissing(error)) return 0;
    throw error;
  }
  return entries.filter((e) => e.isFile()).length;
}

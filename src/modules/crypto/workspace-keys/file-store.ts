/**
 * The `file` workspace key store: one file per workspace root key in a
 * directory private to its owner (0700), for the env, file and development
 * master key providers. A file is `wardroom-root-key v1 <tenant id>\n`
 * followed by the 32 random bytes, mode 0600, written under a temporary
 * name opened with `wx` (never over an existing file), flushed, renamed to
 * `<tenant id>.<random id>.key` and the directory flushed. Destroying one
 * overwrites it with zeros, flushes, unlinks it and flushes the directory.
 *
 * The header names the workspace, so a file copied under another
 * workspace's name is refused; and the root key is mixed into the key
 * derivation with the workspace's id, so even a file relabelled by hand
 * opens nothing of another workspace.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../base/errors.js';
import { assertKind, ROOT_KEY_BYTES, type RootKeyRef, type WorkspaceKeyStore } from './store.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const FILE_NAME = new RegExp(`^(${UUID})\\.${UUID}\\.key$`);

function header(tenantId: string): Buffer {
  return Buffer.from(`wardroom-root-key v1 ${tenantId}\n`);
}

/** The store in `dir`, created (0700) if missing; a directory others may access is refused. */
export async function fileKeyStore(dir: string): Promise<WorkspaceKeyStore> {
  const root = path.resolve(dir);
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const stat = await fs.stat(root);
  if (!stat.isDirectory()) throw new AppError('config_invalid', `${root} is not a directory`);
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
    throw new AppError(
      'config_invalid',
      `Workspace key directory ${root} is accessible by group or others; chmod 700 ${root}`,
    );
  }
  const store: WorkspaceKeyStore = {
    kind: 'file',
    description: `file ${root}`,
    create: (tenantId) => createFile(root, tenantId),
    open: (tenantId, ref) => {
      assertKind(store, ref);
      return openFile(root, tenantId, ref);
    },
    destroy: (tenantId, ref) => {
      assertKind(store, ref);
      return destroyFile(root, tenantId, ref);
    },
  };
  return store;
}

/** The path of a recorded file name, refusing anything but `<this tenant>.<id>.key`. */
function fileOf(dir: string, tenantId: string, ref: RootKeyRef): string {
  const match = FILE_NAME.exec(ref.ref);
  if (match?.[1] !== tenantId) {
    throw new AppError(
      'key_unavailable',
      `Root key reference ${JSON.stringify(ref.ref)} is not this workspace's`,
    );
  }
  return path.join(dir, ref.ref);
}

async function createFile(dir: string, tenantId: string): Promise<RootKeyRef> {
  const name = `${tenantId}.${randomUUID()}.key`;
  const temporary = path.join(dir, `.${name}.tmp`);
  const secret = randomBytes(ROOT_KEY_BYTES);
  const handle = await fs.open(temporary, 'wx', 0o600);
  try {
    await handle.writeFile(Buffer.concat([header(tenantId), secret]));
    await handle.sync();
  } finally {
    secret.fill(0);
    await handle.close();
  }
  await fs.rename(temporary, path.join(dir, name));
  await syncDir(dir);
  return { store: 'file', ref: name, sealed: null };
}

async function openFile(dir: string, tenantId: string, ref: RootKeyRef): Promise<Buffer> {
  const file = fileOf(dir, tenantId, ref);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    throw new AppError(
      'key_unavailable',
      `This workspace's root key ${ref.ref} is not in the key store (destroyed by a shred, or another store)`,
      { cause: error },
    );
  }
  const head = header(tenantId);
  const fits =
    bytes.length === head.length + ROOT_KEY_BYTES && bytes.subarray(0, head.length).equals(head);
  if (!fits) {
    bytes.fill(0);
    throw new AppError('key_unavailable', `Root key file ${ref.ref} is not this workspace's`);
  }
  const secret = Buffer.from(bytes.subarray(head.length));
  bytes.fill(0);
  return secret;
}

async function destroyFile(dir: string, tenantId: string, ref: RootKeyRef): Promise<void> {
  const file = fileOf(dir, tenantId, ref);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AppError('key_unavailable', `Cannot destroy root key ${ref.ref}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    await handle.write(Buffer.alloc(size), 0, size, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.unlink(file);
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

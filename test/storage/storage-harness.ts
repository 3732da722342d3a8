/**
 * The storage tests' backends: each sealed-object and download test runs
 * against the folder store and the S3 store (s3rver on loopback).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { folderStore, s3Store, type ObjectStore } from '../../src/modules/storage/index.js';
import { startS3, type TestS3 } from '../support/s3.js';

export interface Backend {
  readonly store: ObjectStore;
  close(): Promise<void>;
}

export const BACKENDS = ['folder', 's3'] as const;

export async function startBackend(kind: (typeof BACKENDS)[number]): Promise<Backend> {
  if (kind === 'folder') {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wardroom-objects-'));
    return { store: folderStore(dir), close: () => fs.rm(dir, { recursive: true, force: true }) };
  }
  const s3: TestS3 = await startS3();
  const store = s3Store(s3.config);
  return {
    store,
    async close() {
      store.close();
      await s3.close();
    },
  };
}

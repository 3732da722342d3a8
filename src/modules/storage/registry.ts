/** Picks the object store the configuration names. */
import type { StorageConfig } from '../../base/config.js';
import { folderStore } from './folder-store.js';
import type { ObjectStore } from './object-store.js';
import { s3Store } from './s3-store.js';

export function createObjectStore(config: StorageConfig): ObjectStore {
  return config.kind === 'folder' ? folderStore(config.dir) : s3Store(config);
}

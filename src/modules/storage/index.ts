/**
 * The storage module's public face: object keys (the one builder), the
 * object store port and its folder and S3 backends, objects sealed with the
 * workspace's data key, signed download links, and the storage service.
 */
export {
  checkSegment,
  fileNameOf,
  MAX_SEGMENT_LENGTH,
  MAX_SEGMENTS,
  objectKey,
  parseObjectKey,
  workspacePrefix,
  type ObjectKey,
  type ParsedObjectKey,
} from './object-key.js';
export type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.js';
export { folderStore } from './folder-store.js';
export { s3Store, type S3ObjectStore, type S3StoreConfig } from './s3-store.js';
export { createObjectStore } from './registry.js';
export {
  DOWNLOAD_PATH,
  linkSecret,
  MAX_LINK_SECONDS,
  signDownloadLink,
  verifyDownloadLink,
  type DownloadLink,
  type LinkQuery,
} from './links.js';
export { readSealed, writeSealed, type SealedObjectsDeps } from './sealed-objects.js';
export {
  createStorage,
  DOWNLOAD_ACTOR,
  OBJECTS_DELETED_ACTION,
  storageFromConfig,
  type ShredPath,
  type Download,
  type Storage,
  type StorageDeps,
} from './storage.js';

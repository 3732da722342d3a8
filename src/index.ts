/**
 * Wardroom as a library: build the service from a config and embed it.
 */
export { createWardroom, type Wardroom, type CreateOptions } from './app.js';
export { loadConfig, type Config } from './base/config.js';
export { AppError, type ErrorCode } from './base/errors.js';
export type { Principal } from './db/principal.js';
export type { TenantTx } from './db/tenant-tx.js';
export type {
  ObjectBody,
  ObjectKey,
  ObjectStore,
  Storage,
  DownloadLink,
} from './modules/storage/index.js';
export { objectKey } from './modules/storage/index.js';

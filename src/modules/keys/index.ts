/**
 * The keys module's public face: each workspace's data keys (the keyring
 * that caches, versions and seals with them), their rotation and the
 * re-encryption sweep, crypto-shredding and its signed receipts.
 */
export { createKeyring, type Keyring } from './keyring.js';
export { keyRoutes, type DeleteShreddedObjects } from './routes.js';
export { destroyWorkspaceKeys, listShredReceipts, shredWorkspace } from './shred.js';
export { sealPlaintext } from './plaintext.js';
export { verifyShredReceipt, type SignedShredReceipt } from './shred-receipt.js';
export { subscribeKeyEvents } from './rotation/key-events.js';
export {
  enqueueRotation,
  ensureRotationQueue,
  startRotationWorker,
  type RotationWorker,
} from './rotation/jobs.js';
export { setMinVersion } from './rotation/min-version.js';
export { watchRotations, type WatchedRotation } from './rotation/progress.js';
export { rotateMaster } from './rotation/rewrap-master.js';
export { startRotation } from './rotation/rotate-dek.js';
export { keyStatus, unfinishedRotations, type KeyStatus } from './rotation/status.js';
export { listWorkspaces } from './rotation/workspaces.js';

/**
 * The audit module's public face: the append-only, hash-chained event log,
 * its signed checkpoints and background maintenance, the Activity routes
 * and exports, and verification of a live workspace or an exported file.
 */
export { auditRoutes } from './routes.js';
export { loadAuditSigner, type AuditSigner } from './signer.js';
export { startAuditMaintenance, type Maintenance } from './maintenance.js';
export { checkpointAll, createCheckpoint, listWorkspaceIds } from './checkpoints.js';
export { listPendingIntents, recordEvent, type EventInput } from './record.js';
export { verifyExportFile, type FileVerification } from './verify-file.js';
export { verifyWorkspace, type WorkspaceVerification } from './verify-workspace.js';
export {
  createScheduledVerifier,
  latestVerification,
  type ScheduledVerifier,
  type VerificationStatus,
} from './scheduled-verify.js';
// For the workspace export (privacy module): the audit rows in their exported form.
export { auditRecordSelect, type AuditRecord } from './event.js';
// Personal data in the log, sealed per person; erased with the person's key.
export { AuditPersonalSealer, createAuditPersonal, openAuditRecords } from './personal.js';
export { erasePersonKeys, subscribePersonKeyEvents } from './person-keys.js';
export { ERASED, UNREADABLE } from './personal-seal.js';

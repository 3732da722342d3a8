/**
 * The privacy module's public face: data subject requests with their legal
 * deadlines, the workspace's data residency, and the reminders job
 * (docs/privacy.md).
 */
export { privacyRoutes, type PrivacyRouteDeps } from './routes.js';
export { sendReminders, type ReminderDeps, type ReminderResult } from './reminders.js';
export {
  ensureReminderQueue,
  REMINDER_QUEUE,
  startReminderWorker,
  type ReminderWorker,
} from './reminder-job.js';
export { exportRoutes, type ExportRouteDeps } from './export/routes.js';
export {
  ensureExportQueue,
  EXPORT_QUEUE,
  exportJobScheduler,
  startExportWorker,
  type ExportScheduler,
  type ExportWorker,
} from './export/job.js';
export { runExportJob, type ExportJobDeps, type ExportJobOutcome } from './export/run-export.js';
export {
  EXPORT_FILES,
  EXPORT_LINK_SECONDS,
  runWorkspaceExport,
  type ExportMailer,
  type ExportResult,
} from './export/workspace-export.js';
export { EXPORT_FORMS, type ExportForm } from './export/rows.js';
export { deletionRoutes, type DeletionRouteDeps } from './deletion/routes.js';
export {
  pseudonymiseUser,
  type DeletionDeps,
  type DeletionReason,
  type Pseudonymised,
} from './deletion/pseudonymise.js';
export type { DeletionSettings } from './deletion/settings.js';
export { receiptKey } from './deletion/receipt-seal.js';
export { auditExportLookup, type AccessExportLookup } from './deletion/export-guard.js';
export { DEFAULT_COOLING_OFF_DAYS } from './deletion/delete-account.js';
export { runDueDeletions, type SweepDeps, type SweepResult } from './deletion/sweep.js';
export {
  DELETION_QUEUE,
  ensureDeletionQueue,
  queueDeletionSweep,
  startDeletionWorker,
  type DeletionWorker,
} from './deletion/sweep-job.js';

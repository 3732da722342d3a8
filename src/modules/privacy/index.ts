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
export { deletionRoutes, type DeletionRouteDeps } from './deletion/routes.js';
export {
  pseudonymiseUser,
  type DeletionDeps,
  type DeletionReason,
  type Pseudonymised,
} from './deletion/pseudonymise.js';

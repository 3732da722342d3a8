/**
 * The privacy module's public face: data subject requests with their legal
 * deadlines, the workspace's data residency, and the reminders job
 * (docs/privacy.md).
 */
export { privacyRoutes, type PrivacyRouteDeps } from './routes.js';

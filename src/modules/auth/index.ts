/**
 * The auth module's public face: passwordless email sign-in, browser
 * sessions, and the account routes (/auth, /me, /workspaces).
 */
export {
  accountRoutes,
  type AccountAccess,
  type AccountContext,
  type AccountRoute,
} from './routes.js';
export type { AccountDeps } from './routes.js';
export {
  DEFAULT_AUTH_SETTINGS,
  type AuthSettings,
  type SignInCodeMessage,
  type SignInCodeSender,
} from './sign-in.js';
export { resolveSession, sessionMember, type Session, type SignInMethod } from './sessions.js';
export {
  DEFAULT_SESSION_CACHE_TTL_MS,
  SESSION_EVENTS_CHANNEL,
  notifySessionsRevoked,
  SessionCache,
  subscribeSessionEvents,
  type SessionCacheOptions,
} from './session-cache.js';
export {
  clearSessionCookie,
  readSessionCookie,
  setSessionCookie,
  SESSION_COOKIE,
  PLAIN_HTTP_SESSION_COOKIE,
} from './cookie.js';
// For the sso module: a session it makes is made exactly like an email-code one.
export {
  csrfToken,
  loadAuthSecret,
  newSessionToken,
  normalizeEmail,
  sessionHash,
  type AuthSecret,
} from './secrets.js';

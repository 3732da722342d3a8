/**
 * The credentials module's public face: sealed integration credentials, their
 * routes, and import from the legacy formats users migrate from.
 */
export { credentialRoutes } from './routes.js';
export { importCredentials } from './import.js';
export { openCredentialSecret, type OpenedCredential } from './open-secret.js';
export { CREDENTIAL_KINDS, PROVIDERS, type CredentialKind } from './kinds.js';
export { decryptLegacy, LEGACY_FORMATS } from './legacy.js';

/**
 * The tenancy module's public face: workspaces, members and roles, API
 * tokens, the access rules routes declare, and the workspace route every
 * module declares its routes as.
 */
export { authorize, describeAccess, type Access } from './access.js';
export { defineRoute, type WorkspaceContext, type WorkspaceRoute } from './workspace-route.js';
export { NAMED_ROLES, ROLES, type Member, type NamedRole, type Role } from './roles.js';
export { tenancyRoutes } from './routes.js';
export {
  createWorkspace,
  REGIONS,
  type Region,
  type WorkspaceKeyMaker,
} from './create-workspace.js';
export {
  createApiToken,
  createApiTokenForEmail,
  revokeApiToken,
  verifyApiToken,
} from './api-tokens.js';
export { parseToken, type ParsedToken } from './token-format.js';
export { MAX_TOKEN_DAYS } from './token-routes.js';
export type { NameSealer, SealedRef } from './display-name.js';
// For the workroom transcript (modules/workrooms) and the exports: authors' display names.
export { openDisplayName } from './display-name.js';
export { DELETED_USER_NAME, pseudonymiseMember } from './pseudonymise-member.js';
export type {
  InvitationEmail,
  InvitationEmailResult,
  InvitationMailer,
} from './invitation-mail.js';

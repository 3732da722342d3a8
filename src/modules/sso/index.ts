/**
 * The sso module's public face: a workspace's OIDC and SAML connections and
 * its "require SSO" policy (admin routes), the sign-in flows the server
 * assembly exposes as browser routes, and the policy check every
 * session-authenticated workspace request passes.
 */
export { ssoAdminRoutes } from './routes.js';
export {
  OIDC_CALLBACK_PATH,
  startSsoSignIn,
  type StartBy,
  type Started,
  type SsoFlowDeps,
} from './start-sign-in.js';
export { finishOidcSignIn, finishSamlSignIn, type SsoFinishDeps } from './finish-sign-in.js';
export type { SsoSignedIn } from './sign-in.js';
export { serviceProvider, serviceProviderMetadata } from './saml.js';
export { enforceSsoPolicy } from './require-sso.js';
export { FLOW_TTL_SECONDS } from './flows.js';

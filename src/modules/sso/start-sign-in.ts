/**
 * Starting an SSO sign-in: find the connection (by workspace id, or by the
 * domain of a work email), record a pending flow, and say where to send the
 * browser. For OIDC the state also goes into a cookie the callback must
 * present, so a callback URL carried to another browser does not sign that
 * browser in. SAML's ACS is a cross-site POST, which a SameSite=Lax cookie
 * does not reach: there the request id (InResponseTo) binds the answer.
 */
import { AppError } from '../../base/errors.js';
import { systemPrincipal, type RequestOrigin } from '../../db/principal.js';
import type { Database } from '../../db/database.js';
import type { Keyring } from '../keys/index.js';
import { loadLiveConnection } from './connections.js';
import { beginFlow, discoverConnections, type DiscoveredConnection } from './flows.js';
import { oidcAuthorizationUrl } from './oidc.js';
import { samlAuthorizationUrl } from './saml.js';

export interface SsoFlowDeps {
  readonly db: Pick<Database, 'withSystem' | 'withTenant'>;
  readonly keyring: Pick<Keyring, 'open'>;
}

export type StartBy =
  | { readonly workspaceId: string; readonly connectionId?: string | undefined }
  | { readonly email: string };

export interface Started {
  readonly redirect: string;
  /** OIDC only: the state, to be set as the flow cookie. */
  readonly state?: string;
}

export const OIDC_CALLBACK_PATH = '/api/v1/auth/sso/oidc/callback';

async function chooseConnection(deps: SsoFlowDeps, by: StartBy): Promise<DiscoveredConnection> {
  const found =
    'email' in by
      ? await discoverConnections(deps.db, {
          domain: by.email.slice(by.email.lastIndexOf('@') + 1),
        })
      : (await discoverConnections(deps.db, { workspaceId: by.workspaceId })).filter(
          (c) => by.connectionId === undefined || c.connection_id === by.connectionId,
        );
  const [first, second] = found;
  if (first === undefined) {
    throw new AppError('sso_not_configured', 'No SSO connection is set up for this sign-in');
  }
  if (second !== undefined) {
    throw new AppError(
      'sso_ambiguous',
      'Several SSO connections match: sign in with your workspace id (and connection)',
    );
  }
  return first;
}

export async function startSsoSignIn(
  deps: SsoFlowDeps,
  by: StartBy,
  baseUrl: string,
  origin: RequestOrigin,
): Promise<Started> {
  const chosen = await chooseConnection(deps, by);
  const connection = await deps.db.withTenant(
    systemPrincipal(chosen.workspace_id, `sso:${chosen.connection_id}`, origin.correlationId),
    (tx) => loadLiveConnection(tx, deps.keyring, chosen.connection_id),
  );
  const flow = { workspaceId: chosen.workspace_id, connectionId: connection.id };
  if (connection.kind === 'saml') {
    const { url, requestId } = await samlAuthorizationUrl(connection, baseUrl);
    await beginFlow(deps.db, {
      ...flow,
      key: requestId,
      kind: 'saml',
      nonce: null,
      codeVerifier: null,
    });
    return { redirect: url };
  }
  const hint = 'email' in by ? by.email : undefined;
  const start = await oidcAuthorizationUrl(connection, `${baseUrl}${OIDC_CALLBACK_PATH}`, hint);
  await beginFlow(deps.db, {
    ...flow,
    key: start.state,
    kind: 'oidc',
    nonce: start.nonce,
    codeVerifier: start.codeVerifier,
  });
  return { redirect: start.url, state: start.state };
}

/**
 * OpenID Connect with openid-client: the authorization request (code flow,
 * PKCE S256, state and nonce) and the callback, where openid-client checks
 * the ID token's issuer, audience, expiry, nonce and, with non-repudiation
 * checks on, its signature against the issuer's JWKS. An email missing
 * from the ID token is read from the UserInfo endpoint (its `sub` must
 * match). http issuers are allowed only on loopback (schemas.ts).
 */
import * as client from 'openid-client';
import { AppError } from '../../base/errors.js';
import type { LiveConnection } from './connections.js';
import type { SsoIdentity } from './sign-in.js';

type OidcConnection = Extract<LiveConnection, { kind: 'oidc' }>;

async function configuration(connection: OidcConnection): Promise<client.Configuration> {
  const issuer = new URL(connection.issuer);
  const execute = [client.enableNonRepudiationChecks];
  // Only for an IdP on this machine: schemas.ts refuses http anywhere but loopback.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  if (issuer.protocol === 'http:') execute.push(client.allowInsecureRequests);
  try {
    return await client.discovery(
      issuer,
      connection.clientId,
      { client_secret: connection.clientSecret, id_token_signed_response_alg: 'RS256' },
      client.ClientSecretPost(connection.clientSecret),
      { execute, timeout: 10 },
    );
  } catch (error) {
    throw new AppError('sso_idp_unavailable', 'The identity provider could not be reached', {
      cause: error,
    });
  }
}

export interface OidcStart {
  readonly url: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

export async function oidcAuthorizationUrl(
  connection: OidcConnection,
  redirectUri: string,
  loginHint: string | undefined,
): Promise<OidcStart> {
  const config = await configuration(connection);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...(loginHint === undefined ? {} : { login_hint: loginHint }),
  });
  return { url: url.href, state, nonce, codeVerifier };
}

/** The IdP's answer at the callback, verified; `sso_token_invalid` for any failed check. */
export async function oidcIdentity(
  connection: OidcConnection,
  callbackUrl: URL,
  checks: { state: string; nonce: string; codeVerifier: string },
): Promise<SsoIdentity> {
  const config = await configuration(connection);
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: checks.codeVerifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    throw tokenError(error);
  }
  const claims = tokens.claims();
  if (claims === undefined) throw new AppError('sso_token_invalid', 'No ID token was returned');
  let email = claims['email'];
  let verified = claims['email_verified'];
  if (typeof email !== 'string') {
    const info = await client
      .fetchUserInfo(config, tokens.access_token, claims.sub)
      .catch((error: unknown) => {
        throw tokenError(error);
      });
    email = info.email;
    verified = info.email_verified;
  }
  if (typeof email !== 'string') {
    throw new AppError('sso_token_invalid', 'The identity provider sent no email');
  }
  return { email, emailVerified: verified === true };
}

/** An OAuth error code as the IdP sent it, kept only if it looks like one (it is echoed back). */
function oauthCode(value: string): string {
  return /^[a-z_]{1,64}$/.test(value) ? value : 'error';
}

function tokenError(error: unknown): AppError {
  // An OAuth error answer of the IdP (invalid_grant: a used or wrong code).
  if (error instanceof client.ResponseBodyError) {
    return new AppError(
      'sso_token_invalid',
      `The identity provider refused: ${oauthCode(error.error)}`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof client.AuthorizationResponseError) {
    return new AppError(
      'sso_idp_error',
      `The identity provider answered: ${oauthCode(error.error)}`,
      {
        cause: error,
      },
    );
  }
  return new AppError('sso_token_invalid', 'The identity provider’s answer failed verification', {
    cause: error,
  });
}

/**
 * SAML 2.0 with @node-saml/node-saml, SP-initiated: the AuthnRequest
 * (HTTP-Redirect binding), and the response at the ACS, verified by
 * node-saml: the assertion must be signed by one of the connection's IdP
 * certificates, its audience must be this service provider, its
 * NotBefore/NotOnOrAfter must hold (one minute of clock skew), and its
 * InResponseTo must name the request this flow sent (taken once, flows.ts).
 * Its issuer must be the connection's IdP (checked here on the signed
 * assertion: node-saml checks only the response's). The assertion's id is then
 * recorded until its NotOnOrAfter, so the same assertion is refused again.
 */
import {
  generateServiceProviderMetadata,
  SAML,
  ValidateInResponseTo,
  type CacheProvider,
  type Profile,
} from '@node-saml/node-saml';
import { AppError } from '../../base/errors.js';
import type { LiveConnection } from './connections.js';
import { FLOW_TTL_SECONDS } from './flows.js';
import type { SsoIdentity } from './sign-in.js';

type SamlConnection = Extract<LiveConnection, { kind: 'saml' }>;

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** This server as a SAML service provider, at its public base URL. */
export function serviceProvider(baseUrl: string) {
  return {
    entityId: `${baseUrl}/api/v1/auth/sso/saml/metadata`,
    acsUrl: `${baseUrl}/api/v1/auth/sso/saml/acs`,
  };
}

function samlFor(connection: SamlConnection, baseUrl: string, cache: CacheProvider): SAML {
  const sp = serviceProvider(baseUrl);
  return new SAML({
    callbackUrl: sp.acsUrl,
    entryPoint: connection.idpSsoUrl,
    issuer: sp.entityId,
    audience: sp.entityId,
    idpCert: [...connection.idpCertificates],
    idpIssuer: connection.idpEntityId,
    identifierFormat: EMAIL_FORMAT,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: FLOW_TTL_SECONDS * 1000,
    acceptedClockSkewMs: 60_000,
    disableRequestedAuthnContext: true,
    cacheProvider: cache,
  });
}

/** The IdP URL to send the browser to, and the id of the request in it. */
export async function samlAuthorizationUrl(
  connection: SamlConnection,
  baseUrl: string,
): Promise<{ url: string; requestId: string }> {
  let requestId: string | undefined;
  const saml = samlFor(connection, baseUrl, {
    saveAsync: (key, value) => {
      requestId = key;
      return Promise.resolve({ value, createdAt: Date.now() });
    },
    getAsync: () => Promise.resolve(null),
    removeAsync: () => Promise.resolve(null),
  });
  const url = await saml.getAuthorizeUrlAsync('', undefined, {});
  if (requestId === undefined) throw new AppError('internal', 'node-saml made no request id');
  return { url, requestId };
}

/**
 * The request id a SAML response answers, read before verification only to
 * find its flow; node-saml checks it again on the verified response.
 */
export function inResponseToOf(samlResponse: string): string | undefined {
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  const root = /<(?:[A-Za-z_][\w.-]*:)?Response\b[^>]*>/.exec(xml)?.[0];
  const id = root === undefined ? undefined : /\sInResponseTo="([^"]{1,256})"/.exec(root)?.[1];
  return id;
}

export interface VerifiedAssertion {
  readonly identity: SsoIdentity;
  readonly assertion: { issuer: string; id: string; notOnOrAfter: Date };
}

/** Verifies a response to request `requestId`; `sso_assertion_invalid` for any failed check. */
export async function samlAssertion(
  connection: SamlConnection,
  baseUrl: string,
  requestId: string,
  samlResponse: string,
): Promise<VerifiedAssertion> {
  const saml = samlFor(connection, baseUrl, {
    saveAsync: () => Promise.resolve(null),
    getAsync: (key) => Promise.resolve(key === requestId ? new Date().toISOString() : null),
    removeAsync: () => Promise.resolve(null),
  });
  let profile: Profile | null;
  try {
    ({ profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    throw new AppError('sso_assertion_invalid', 'The SAML response failed verification', {
      cause: error,
    });
  }
  if (profile === null) throw new AppError('sso_assertion_invalid', 'The SAML response is empty');
  // node-saml compares idpIssuer with the response's Issuer only, which is not signed here:
  // the signed assertion's own Issuer must be the connection's IdP too.
  if (profile.issuer !== connection.idpEntityId) {
    throw new AppError('sso_assertion_invalid', 'The SAML assertion is from another issuer');
  }
  return { identity: identityOf(profile), assertion: assertionOf(profile) };
}

function identityOf(profile: Profile): SsoIdentity {
  const email =
    typeof profile.email === 'string'
      ? profile.email
      : profile.nameIDFormat === EMAIL_FORMAT
        ? profile.nameID
        : undefined;
  if (email === undefined) {
    throw new AppError('sso_assertion_invalid', 'The SAML assertion names no email');
  }
  // SAML has no email_verified: the IdP asserting the address is its word for it.
  return { email, emailVerified: true };
}

interface AssertionShape {
  $?: { ID?: string };
  Conditions?: { $?: { NotOnOrAfter?: string } }[];
  Subject?: {
    SubjectConfirmation?: { SubjectConfirmationData?: { $?: { NotOnOrAfter?: string } }[] }[];
  }[];
}

function assertionOf(profile: Profile): { issuer: string; id: string; notOnOrAfter: Date } {
  const parsed = (profile.getAssertion?.() as { Assertion?: AssertionShape } | undefined)
    ?.Assertion;
  const id = parsed?.$?.ID;
  const until =
    parsed?.Conditions?.[0]?.$?.NotOnOrAfter ??
    parsed?.Subject?.[0]?.SubjectConfirmation?.[0]?.SubjectConfirmationData?.[0]?.$?.NotOnOrAfter;
  if (id === undefined || until === undefined || Number.isNaN(Date.parse(until))) {
    throw new AppError('sso_assertion_invalid', 'The SAML assertion has no id or NotOnOrAfter');
  }
  return { issuer: profile.issuer, id, notOnOrAfter: new Date(until) };
}

/** This service provider's metadata, for the IdP's configuration. */
export function serviceProviderMetadata(baseUrl: string): string {
  const sp = serviceProvider(baseUrl);
  return generateServiceProviderMetadata({
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    identifierFormat: EMAIL_FORMAT,
    wantAssertionsSigned: true,
  });
}

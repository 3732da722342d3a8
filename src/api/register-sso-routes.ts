/**
 * The browser routes of single sign-on (modules/sso): start, the OIDC
 * callback, the SAML ACS and the SAML service-provider metadata. They answer
 * with redirects and XML, not the JSON the declared-route kit sends, so they
 * are registered here, each with its access rule (public) and its OpenAPI
 * schema. A browser (Accept: text/html) that meets an error is sent to the
 * console's sign-in page with `?error=<code>`; an API client gets the usual
 * `{error: {code, message}}`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { errorHandler, toAppError } from '../http/error-handler.js';
import { errorBody } from '../http/route-schema.js';
import { setSessionCookie, type AuthSettings } from '../modules/auth/index.js';
import type { Keyring } from '../modules/keys/index.js';
import {
  FLOW_TTL_SECONDS,
  finishOidcSignIn,
  finishSamlSignIn,
  serviceProviderMetadata,
  startSsoSignIn,
  type SsoFinishDeps,
  type SsoSignedIn,
} from '../modules/sso/index.js';
import type { Database } from '../db/database.js';
import { AppError } from '../base/errors.js';
import type { Limiter } from './register-account-route.js';

export interface SsoRouteDeps {
  readonly db: Pick<Database, 'withSystem' | 'withTenant'>;
  readonly keyring: Pick<Keyring, 'open'>;
  readonly secret: Buffer;
  readonly settings: AuthSettings;
  /** WARDROOM_PUBLIC_URL's origin: the base of redirect URIs and SAML ids when set. */
  readonly publicOrigin?: string | undefined;
  /** The sign-in limit per client address: each start records a flow, so it counts as an attempt. */
  readonly startLimiter?: Limiter | undefined;
}

const SIGNED_IN_PAGE = '/app/workspaces';
const SIGN_IN_PAGE = '/';
const access = { kind: 'public' } as const;
const tags = ['auth'];
const redirect = z.null().describe('302 to the identity provider or the console');

function flowCookieName(secure: boolean): string {
  return secure ? '__Host-wardroom_sso_flow' : 'wardroom_sso_flow';
}

function flowCookie(secure: boolean, value: string, maxAge: number): string {
  return `${flowCookieName(secure)}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

function readFlowCookie(request: FastifyRequest, secure: boolean): string | undefined {
  const name = flowCookieName(secure);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function originOf(request: FastifyRequest) {
  const userAgent = request.headers['user-agent'];
  return {
    correlationId: request.id,
    ip: request.ip,
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}

/** The origin redirect URIs and SAML ids are built on (default ports dropped, as URL does). */
function baseUrl(request: FastifyRequest, publicOrigin: string | undefined): string {
  return new URL(publicOrigin ?? `${request.protocol}://${request.host}`).origin;
}

/** Browsers go to the sign-in page with the error's code; API clients get the JSON error. */
function browserErrors(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const accept = request.headers.accept ?? '';
  if (!accept.includes('text/html')) {
    errorHandler(error, request, reply);
    return;
  }
  const appError = toAppError(error);
  if (!appError.isExposable) request.log.error({ err: error }, 'sso sign-in failed');
  void reply
    .header('cache-control', 'no-store')
    .redirect(`${SIGN_IN_PAGE}?error=${encodeURIComponent(appError.code)}`, 302);
}

function signedInReply(
  reply: FastifyReply,
  signed: SsoSignedIn,
  secure: boolean,
  settings: AuthSettings,
  extraCookies: string[] = [],
): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('set-cookie', [
      setSessionCookie(signed.token, secure, settings.sessionLifetimeSeconds),
      ...extraCookies,
    ])
    .redirect(SIGNED_IN_PAGE, 302);
}

const startQuery = z
  .strictObject({
    workspace: z.uuid().optional(),
    connection: z.uuid().optional(),
    email: z.email().max(320).optional(),
  })
  .refine((q) => (q.workspace === undefined) !== (q.email === undefined), {
    message: 'give either workspace or email',
  });

export function registerSsoRoutes(app: FastifyInstance, deps: SsoRouteDeps): void {
  const finishDeps: SsoFinishDeps = {
    db: deps.db,
    keyring: deps.keyring,
    secret: deps.secret,
    settings: deps.settings,
  };
  registerStart(app, deps);
  registerOidcCallback(app, deps, finishDeps);
  void app.register((scope, _options, done) => {
    registerSaml(scope, deps, finishDeps);
    done();
  });
}

function registerStart(app: FastifyInstance, deps: SsoRouteDeps): void {
  app.get(
    '/api/v1/auth/sso/start',
    {
      config: { access },
      errorHandler: browserErrors,
      schema: {
        summary:
          'Start SSO sign-in: by workspace id (and connection, when it has several) or by work email; 302 to the identity provider',
        description:
          'Public; counts against the sign-in limit per client address. Error codes: sso_not_configured, sso_ambiguous, sso_idp_unavailable, validation_failed, rate_limited (a browser is redirected to /?error=<code>).',
        tags,
        security: [],
        querystring: startQuery,
        response: {
          302: redirect,
          400: errorBody,
          404: errorBody,
          409: errorBody,
          429: errorBody,
          502: errorBody,
        },
      },
    },
    async (request, reply) => {
      const limit = await deps.startLimiter?.(request);
      if (limit !== undefined && !limit.isAllowed && limit.isExceeded) {
        void reply.header('retry-after', String(limit.ttlInSeconds));
        throw new AppError('rate_limited', 'Too many sign-in attempts: retry later');
      }
      const query = request.query as z.infer<typeof startQuery>;
      const secure = request.protocol === 'https';
      const by =
        query.email !== undefined
          ? { email: query.email }
          : { workspaceId: query.workspace ?? '', connectionId: query.connection };
      const started = await startSsoSignIn(
        deps,
        by,
        baseUrl(request, deps.publicOrigin),
        originOf(request),
      );
      void reply.header('cache-control', 'no-store');
      if (started.state !== undefined) {
        void reply.header('set-cookie', flowCookie(secure, started.state, FLOW_TTL_SECONDS));
      }
      return reply.redirect(started.redirect, 302);
    },
  );
}

function registerOidcCallback(
  app: FastifyInstance,
  deps: SsoRouteDeps,
  finishDeps: SsoFinishDeps,
): void {
  app.get(
    '/api/v1/auth/sso/oidc/callback',
    {
      config: { access },
      errorHandler: browserErrors,
      schema: {
        summary:
          'OIDC redirect URI: verifies the answer, sets the session cookie, 302 to the console',
        description:
          'Public. Error codes: sso_state_invalid, sso_token_invalid, sso_idp_error, sso_email_unverified, sso_domain_not_allowed, sso_no_membership, sso_not_configured, sso_idp_unavailable (a browser is redirected to /?error=<code>).',
        tags,
        security: [],
        querystring: z.record(z.string(), z.string()),
        response: { 302: redirect, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    async (request, reply) => {
      const secure = request.protocol === 'https';
      const base = baseUrl(request, deps.publicOrigin);
      const signed = await finishOidcSignIn(
        finishDeps,
        new URL(request.url, base),
        readFlowCookie(request, secure),
        originOf(request),
      );
      return signedInReply(reply, signed, secure, deps.settings, [flowCookie(secure, '', 0)]);
    },
  );
}

function registerSaml(app: FastifyInstance, deps: SsoRouteDeps, finishDeps: SsoFinishDeps): void {
  // The IdP posts the response as an HTML form: this scope alone parses one.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  app.post(
    '/api/v1/auth/sso/saml/acs',
    {
      config: { access },
      errorHandler: browserErrors,
      schema: {
        summary: 'SAML assertion consumer service (HTTP-POST binding): verifies, signs in, 302',
        description:
          'Public. Error codes: sso_assertion_invalid, sso_assertion_replayed, sso_state_invalid, sso_domain_not_allowed, sso_no_membership, sso_not_configured (a browser is redirected to /?error=<code>).',
        tags,
        security: [],
        consumes: ['application/x-www-form-urlencoded'],
        body: z.object({
          SAMLResponse: z.string().min(1).max(500_000),
          RelayState: z.string().optional(),
        }),
        response: { 302: redirect, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody },
      },
    },
    async (request, reply) => {
      const secure = request.protocol === 'https';
      const body = request.body as { SAMLResponse: string };
      const signed = await finishSamlSignIn(
        finishDeps,
        body.SAMLResponse,
        baseUrl(request, deps.publicOrigin),
        originOf(request),
      );
      return signedInReply(reply, signed, secure, deps.settings);
    },
  );
  app.get(
    '/api/v1/auth/sso/saml/metadata',
    {
      config: { access },
      schema: {
        summary: "This server's SAML service-provider metadata (entity id, ACS URL)",
        tags,
        security: [],
        produces: ['application/samlmetadata+xml'],
      },
    },
    async (request, reply) =>
      reply
        .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(serviceProviderMetadata(baseUrl(request, deps.publicOrigin))),
  );
}

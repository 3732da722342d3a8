/**
 * Server assembly: Fastify with zod schemas, generated OpenAPI, the error
 * mapping, the public endpoints, every module's declared routes (see
 * routes.ts), each registered through registerRoute, the API's browsable
 * documentation at /docs (docs.ts) and the web console at / (console.ts).
 */
import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type RouteOptions } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { errorHandler } from '../http/error-handler.js';
import { serializerCompiler } from '../http/serializer.js';
import type { Access } from '../modules/tenancy/index.js';
import {
  frameworkErrors,
  MAX_PARAM_LENGTH,
  notFoundHandler,
  refuseLongUrl,
} from './framework-errors.js';
import { defaultConsoleDir, registerConsole } from './console.js';
import { DOCS_PREFIX, registerDocs } from './docs.js';
import { createLimits, UNLIMITED, type LimitSettings, type Limits } from './limits.js';
import { registerRateLimit, type RateLimitSettings } from './rate-limit.js';
import { registerRoute, type SessionSupport } from './register-route.js';
import {
  registerAccountRoute,
  signInLimiters,
  type SignInLimits,
} from './register-account-route.js';
import {
  accountRoutes,
  resolveSession,
  type AuthSettings,
  type SessionCache,
  type SignInCodeSender,
} from '../modules/auth/index.js';
import { registerSsoRoutes } from './register-sso-routes.js';
import { registerOptOutRoutes, type OptOutLimits } from './register-optout-routes.js';
import type { OptOutDeps } from '../modules/contacts/index.js';
import { registerBillingRoutes, type ServerBilling } from './register-billing-routes.js';
import { registerLlmRoutes } from './register-llm-routes.js';
import { registerRunRoutes } from './register-run-routes.js';
import { registerObjectRoutes } from './register-object-routes.js';
import { PriceBook, type Gateway } from '../modules/gateway/index.js';
import type { HttpsOptions } from './tls.js';
import { moduleRoutes, type RouteDeps } from './routes.js';
import {
  auditExportLookup,
  DEFAULT_COOLING_OFF_DAYS,
  deletionRoutes,
  receiptKey,
  type DeletionSettings,
} from '../modules/privacy/index.js';
import { randomBytes } from 'node:crypto';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: DeclaredAccess;
    /** A public file of the web console: no API route, so no access rule to declare. */
    staticContent?: true;
  }
  interface FastifyInstance {
    /** Every registered route with its declared access rule (for the access test). */
    readonly declaredRoutes: readonly DeclaredRoute[];
  }
}

/** A route's access rule as registered: a workspace route's, public, or a signed-in session's. */
export type DeclaredAccess = Access | { readonly kind: 'public' } | { readonly kind: 'session' };

export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly access: DeclaredAccess;
}

/** What the server needs: the database for its doors, and each module's dependencies. */
export interface ServerDeps extends RouteDeps {
  readonly db: Pick<Database, 'withTenant' | 'withSystem' | 'ping'>;
  /**
   * The LLM gateway; with it, the provider-compatible endpoints under
   * `/api/v1/workspaces/{ws}/llm/v1/` are served (register-llm-routes.ts).
   */
  readonly gateway?: Gateway;
  /** Email sign-in and browser sessions; without it only API tokens are accepted. */
  readonly auth?: ServerAuth;
  /** The public per-recipient opt-out (`/api/v1/privacy/optout`); without it, not served. */
  readonly optOut?: ServerOptOut;
  /** The Stripe webhook (`/api/v1/billing/stripe/webhook`); without it, not served. */
  readonly billing?: ServerBilling;
}

/**
 * Scheduled deletions' settings: as given, else the default cooling-off and
 * a receipt key derived from the auth secret (a random one without auth: no
 * account route then, and a request's receipt opens in this process only).
 */
function deletionSettings(deps: ServerDeps): DeletionSettings {
  return (
    deps.deletion ?? {
      coolingOffDays: DEFAULT_COOLING_OFF_DAYS,
      receiptKey: receiptKey(deps.auth?.secret ?? randomBytes(32)),
    }
  );
}

/** The opt-out's dependencies (modules/contacts) and its rate limits. */
export interface ServerOptOut extends Omit<OptOutDeps, 'db'> {
  readonly limits: OptOutLimits;
}

export interface ServerAuth {
  /** Keys sign-in codes' HMAC and derives CSRF tokens (modules/auth/secrets.ts). */
  readonly secret: Buffer;
  readonly sender: SignInCodeSender;
  readonly settings: AuthSettings;
  readonly signInLimits: SignInLimits;
  /** WARDROOM_PUBLIC_URL's origin, accepted as Origin besides the request's own. */
  readonly publicOrigin?: string | undefined;
  /**
   * The origin SSO redirect URIs and SAML ids are built on: WARDROOM_PUBLIC_URL
   * when it is set, else (undefined) each request's own scheme and Host.
   */
  readonly ssoOrigin?: string | undefined;
  readonly onSendError?: (error: unknown) => void;
  /**
   * Resolved sessions cached in this process, kept in step with every
   * process's revocations (subscribeSessionEvents); without one, every
   * signed-in request looks its session up.
   */
  readonly sessionCache?: SessionCache | undefined;
}

export interface ServerOptions {
  readonly bodyLimit: number;
  readonly logger: FastifyBaseLogger;
  /** Per-workspace concurrency and download slots (default: none). */
  readonly limits?: LimitSettings;
  /** Per-workspace request rate (default: none). */
  readonly rateLimit?: RateLimitSettings;
  /** Serve HTTPS with these (see tls.ts); default plain HTTP. */
  readonly https?: HttpsOptions | undefined;
  /** The TLS-terminating proxy in front (Fastify trustProxy); default none. */
  readonly trustProxy?: readonly string[] | undefined;
  /** The built web console (default: dist/console, see console.ts). */
  readonly consoleDir?: string | undefined;
}

export async function buildServer(
  deps: ServerDeps,
  options: ServerOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    exposeHeadRoutes: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    ...(options.https === undefined ? {} : { https: { ...options.https } }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: [...options.trustProxy] }),
  }) as unknown as FastifyInstance;
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  // The API speaks JSON only: a text/plain body is 415, not a string handed to validation.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler(declared));
  app.addHook('onRequest', refuseLongUrl);
  app.addHook('onRoute', (route) => declareRoute(declared, route));
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-correlation-id', request.id);
  });
  await registerRateLimit(app, options.rateLimit ?? { perMinute: 0 });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Wardroom API', version: '1' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // Over plain http on loopback the cookie is `wardroom_session` (modules/auth/cookie.ts).
          session: { type: 'apiKey', in: 'cookie', name: '__Host-wardroom_session' },
          // The Anthropic SDK's header, accepted on the LLM-compatible routes only.
          llmApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  app.get(
    '/healthz',
    { config: { access: { kind: 'public' }, rateLimit: false }, schema: { hide: true } },
    async () => {
      await deps.db.ping();
      return { status: 'ok' };
    },
  );
  // The public half of the audit checkpoint key, so anyone can check a checkpoint.
  const auditKey = deps.auditSigner;
  if (auditKey !== undefined) {
    app.get(
      '/.well-known/wardroom-audit-key',
      { config: { access: { kind: 'public' }, rateLimit: false }, schema: { hide: true } },
      () => ({ key_id: auditKey.keyId, algorithm: 'Ed25519', public_key: auditKey.publicKey }),
    );
  }
  const limits = createLimits(options.limits ?? UNLIMITED);
  deps = { ...deps, deletion: deletionSettings(deps) };
  const sessions = registerAuth(app, deps);
  if (deps.optOut !== undefined) {
    registerOptOutRoutes(app, { ...deps.optOut, db: deps.db }, deps.optOut.limits);
  }
  if (deps.billing !== undefined) await registerBillingRoutes(app, deps.db, deps.billing);
  for (const route of moduleRoutes(deps)) registerRoute(app, deps.db, route, limits, sessions);
  if (deps.gateway !== undefined) registerGatewayRoutes(app, deps, deps.gateway, limits, sessions);
  if (deps.storage !== undefined) registerObjectRoutes(app, deps.storage);
  registerOpenApi(app);
  await registerDocs(app);
  await registerConsole(app, options.consoleDir ?? defaultConsoleDir());
  return app;
}

/** The routes that call the LLM gateway: the provider-compatible endpoints and agent runs. */
function registerGatewayRoutes(
  app: FastifyInstance,
  deps: ServerDeps,
  gateway: Gateway,
  limits: Limits,
  sessions: SessionSupport | undefined,
): void {
  registerLlmRoutes(app, deps.db, gateway, limits);
  const prices = deps.priceBook ?? new PriceBook();
  registerRunRoutes(app, { db: deps.db, keyring: deps.keyring, gateway, prices, limits, sessions });
}

/** Records each route's access rule; refuses a route without one (static content aside). */
function declareRoute(declared: DeclaredRoute[], route: RouteOptions & { prefix: string }): void {
  // The console's files and the /docs pages are public static content, not API routes;
  // nothing under /api/ may claim to be one.
  if (route.config?.staticContent === true || isDocsPrefix(route.prefix)) {
    if (route.url.startsWith('/api/')) {
      throw new Error(
        `Route ${String(route.method)} ${route.url} under /api/ is not static content`,
      );
    }
    return;
  }
  const access = route.config?.access;
  if (access === undefined) {
    throw new Error(`Route ${String(route.method)} ${route.url} declares no access rule`);
  }
  declared.push({ method: String(route.method), url: route.url, access });
}

/**
 * The account routes (sign-in, /me, /workspaces), the SSO browser routes,
 * and how other routes resolve a session.
 */
function registerAuth(app: FastifyInstance, deps: ServerDeps): SessionSupport | undefined {
  const auth = deps.auth;
  if (auth === undefined) return undefined;
  const sessions: SessionSupport = {
    resolve: (token) =>
      resolveSession(
        {
          db: deps.db,
          secret: auth.secret,
          idleSeconds: auth.settings.sessionIdleSeconds,
          cache: auth.sessionCache,
        },
        token,
      ),
    publicOrigin: auth.publicOrigin,
  };
  const routes = [
    ...accountRoutes({
      db: deps.db,
      keyring: deps.keyring,
      secret: auth.secret,
      sender: auth.sender,
      settings: auth.settings,
      sessionCache: auth.sessionCache,
      ...(auth.onSendError === undefined ? {} : { onSendError: auth.onSendError }),
    }),
    ...deletionRoutes({
      db: deps.db,
      keyring: deps.keyring,
      sessionCache: auth.sessionCache,
      clock: deps.clock ?? (() => new Date()),
      ...deletionSettings(deps),
      exports: auditExportLookup,
    }),
  ];
  const limiters = signInLimiters(app, auth.signInLimits);
  for (const route of routes) registerAccountRoute(app, route, sessions, limiters);
  registerSsoRoutes(app, {
    db: deps.db,
    keyring: deps.keyring,
    secret: auth.secret,
    settings: auth.settings,
    publicOrigin: auth.ssoOrigin,
    // Per client address only: a start names no email the other limiter could count.
    startLimiter: limiters[0],
  });
  return sessions;
}

function isDocsPrefix(prefix: string): boolean {
  return prefix === DOCS_PREFIX || prefix.startsWith(`${DOCS_PREFIX}/`);
}

/**
 * The OpenAPI document, public like /docs: it describes the API and holds
 * no data. `no-store` like every answer under /api/v1.
 */
function registerOpenApi(app: FastifyInstance): void {
  app.get(
    '/api/v1/openapi.json',
    {
      config: { access: { kind: 'public' } },
      schema: {
        summary: 'The OpenAPI document of this API (public)',
        tags: ['meta'],
        security: [],
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return Promise.resolve(app.swagger() as unknown as Record<string, unknown>);
    },
  );
}

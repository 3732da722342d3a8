/**
 * Authentication: a bearer token, or a browser session's cookie (then
 * CSRF is checked on changes, see checkCsrf). Bearer-token authentication. The token is parsed without touching the
 * database and names its workspace; the request's principal is made from
 * it, and the token is verified inside that principal's tenant transaction,
 * so authentication and the handler share one round of BEGIN and a token
 * for another workspace answers 404 exactly like a missing one.
 */
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../base/errors.js';
import { tokenPrincipal, type Principal } from '../db/principal.js';
import type { TenantTx } from '../db/tenant-tx.js';
import {
  parseToken,
  verifyApiToken,
  type Member,
  type ParsedToken,
} from '../modules/tenancy/index.js';
import { readSessionCookie } from '../modules/auth/index.js';

/** The well-formed token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(header: string | undefined): ParsedToken | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] === undefined ? undefined : parseToken(match[1]);
}

/**
 * The well-formed token a request presents: `Authorization: Bearer …`, else
 * `x-api-key` (which only the LLM-compatible routes accept, since that is
 * how the Anthropic SDK sends its key). Not yet verified.
 */
export function presentedToken(headers: {
  readonly authorization?: string | undefined;
  readonly 'x-api-key'?: string | string[] | undefined;
}): ParsedToken | undefined {
  if (headers.authorization !== undefined) return bearerToken(headers.authorization);
  const apiKey = headers['x-api-key'];
  return typeof apiKey === 'string' ? parseToken(apiKey.trim()) : undefined;
}

export function parseBearer(header: string | undefined): ParsedToken {
  const token = bearerToken(header);
  if (token === undefined) {
    throw new AppError('unauthenticated', 'Send a valid API token: Authorization: Bearer wr_...');
  }
  return token;
}

/** The principal of a request that carries `token`, before the token is verified. */
export function requestPrincipal(
  token: ParsedToken,
  request: {
    readonly id: string;
    readonly ip: string;
    readonly headers: { readonly 'user-agent'?: string | undefined };
  },
): Principal {
  const userAgent = request.headers['user-agent'];
  return tokenPrincipal(token, {
    correlationId: request.id,
    ip: request.ip,
    ...(userAgent === undefined ? {} : { userAgent }),
  });
}

export async function authenticate(tx: TenantTx, token: ParsedToken): Promise<Member> {
  return verifyApiToken(tx, token);
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF for cookie-authenticated requests that change anything: the
 * session's token in `X-CSRF-Token`, and an `Origin` that is this server's
 * own (its scheme and Host, or `publicOrigin`). A bearer request never gets
 * here: a browser does not attach a bearer token on its own.
 */
export function checkCsrf(
  request: {
    readonly method: string;
    readonly protocol: string;
    readonly host: string;
    readonly headers: { readonly origin?: string | undefined; readonly [h: string]: unknown };
  },
  csrfToken: string,
  publicOrigin?: string,
): void {
  if (!CHANGES.has(request.method)) return;
  const sent = request.headers['x-csrf-token'];
  const origin = request.headers.origin;
  const own = [originOf(`${request.protocol}://${request.host}`)];
  if (publicOrigin !== undefined) own.push(originOf(publicOrigin));
  const tokenOk =
    typeof sent === 'string' &&
    sent.length === csrfToken.length &&
    timingSafeEqual(Buffer.from(sent), Buffer.from(csrfToken));
  const originOk =
    origin !== undefined && originOf(origin) !== '' && own.includes(originOf(origin));
  if (!tokenOk || !originOk) {
    throw new AppError(
      'csrf_failed',
      'A signed-in change needs this session’s X-CSRF-Token header and a same-origin Origin',
    );
  }
}

/** An origin in canonical form (default port dropped, lower case); '' when it is not one. */
function originOf(value: string): string {
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? '' : origin;
  } catch {
    return '';
  }
}

/** The credential of a request: a bearer token, else a session cookie's token. */
export type Credential =
  | { readonly kind: 'token'; readonly token: ParsedToken }
  | { readonly kind: 'session'; readonly sessionToken: string };

export function requestCredential(
  request: {
    readonly headers: {
      readonly authorization?: string | undefined;
      readonly cookie?: string | undefined;
    };
  },
  sessions: { readonly secure: boolean } | undefined,
): Credential {
  if (request.headers.authorization !== undefined || sessions === undefined) {
    return { kind: 'token', token: parseBearer(request.headers.authorization) };
  }
  const sessionToken = readSessionCookie(request.headers.cookie, sessions.secure);
  if (sessionToken === undefined) {
    throw new AppError(
      'unauthenticated',
      'Send a valid API token (Authorization: Bearer wr_...) or sign in',
    );
  }
  return { kind: 'session', sessionToken };
}

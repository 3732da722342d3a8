/**
 * Bearer-token authentication. The token is parsed without touching the
 * database and names its workspace; the request's principal is made from
 * it, and the token is verified inside that principal's tenant transaction,
 * so authentication and the handler share one round of BEGIN and a token
 * for another workspace answers 404 exactly like a missing one.
 */
import { AppError } from '../base/errors.js';
import { tokenPrincipal, type Principal } from '../db/principal.js';
import type { TenantTx } from '../db/tenant-tx.js';
import {
  parseToken,
  verifyApiToken,
  type Member,
  type ParsedToken,
} from '../modules/tenancy/index.js';

/** The well-formed token of an `Authorization: Bearer …` header, if there is one. */
export function bearerToken(header: string | undefined): ParsedToken | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] === undefined ? undefined : parseToken(match[1]);
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

/**
 * The IdP's answer: the OIDC callback and the SAML ACS. Each takes its flow
 * once (a replayed or forged state or request id is `sso_state_invalid`
 * and changes nothing), verifies the answer with the connection the flow
 * was started with, and ends in sign-in.ts. A refusal after the flow is
 * known is audited in its workspace.
 */
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../base/errors.js';
import type { RequestOrigin } from '../../db/principal.js';
import { loadLiveConnection, type LiveConnection } from './connections.js';
import { recordAssertion, takeFlow, type TakenFlow } from './flows.js';
import { oidcIdentity } from './oidc.js';
import { inResponseToOf, samlAssertion } from './saml.js';
import {
  auditingFailure,
  finishSignIn,
  ssoPrincipal,
  type SsoSignedIn,
  type SsoSignInDeps,
} from './sign-in.js';
import type { SsoFlowDeps } from './start-sign-in.js';

export type SsoFinishDeps = SsoFlowDeps & SsoSignInDeps;

function stateInvalid(): AppError {
  return new AppError(
    'sso_state_invalid',
    'This sign-in is unknown, already used or expired: start again',
  );
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function connectionOf(
  deps: SsoFinishDeps,
  flow: TakenFlow,
  origin: RequestOrigin,
): Promise<LiveConnection> {
  return deps.db.withTenant(ssoPrincipal(flow, origin), (tx) =>
    loadLiveConnection(tx, deps.keyring, flow.connectionId),
  );
}

/**
 * `callbackUrl` is the URL the IdP redirected to (its query holds code and
 * state, or an error); `flowCookie` the state this browser started with.
 */
export async function finishOidcSignIn(
  deps: SsoFinishDeps,
  callbackUrl: URL,
  flowCookie: string | undefined,
  origin: RequestOrigin,
): Promise<SsoSignedIn> {
  const state = callbackUrl.searchParams.get('state');
  if (
    state === null ||
    state.length > 256 ||
    flowCookie === undefined ||
    !sameText(state, flowCookie)
  ) {
    throw stateInvalid();
  }
  const flow = await takeFlow(deps.db, state, 'oidc');
  if (flow === undefined || flow.nonce === null || flow.codeVerifier === null) throw stateInvalid();
  const { nonce, codeVerifier } = flow;
  return auditingFailure(deps.db, flow, origin, async () => {
    const connection = await connectionOf(deps, flow, origin);
    if (connection.kind !== 'oidc') throw stateInvalid();
    const identity = await oidcIdentity(connection, callbackUrl, { state, nonce, codeVerifier });
    return finishSignIn(deps, flow, connection, identity, origin);
  });
}

export async function finishSamlSignIn(
  deps: SsoFinishDeps,
  samlResponse: string,
  baseUrl: string,
  origin: RequestOrigin,
): Promise<SsoSignedIn> {
  const requestId = inResponseToOf(samlResponse);
  if (requestId === undefined) {
    throw new AppError('sso_assertion_invalid', 'The SAML response answers no request');
  }
  const flow = await takeFlow(deps.db, requestId, 'saml');
  if (flow === undefined) throw stateInvalid();
  return auditingFailure(deps.db, flow, origin, async () => {
    const connection = await connectionOf(deps, flow, origin);
    if (connection.kind !== 'saml') throw stateInvalid();
    const verified = await samlAssertion(connection, baseUrl, requestId, samlResponse);
    if (!(await recordAssertion(deps.db, verified.assertion))) {
      throw new AppError('sso_assertion_replayed', 'This SAML assertion was already used');
    }
    return finishSignIn(deps, flow, connection, verified.identity, origin);
  });
}

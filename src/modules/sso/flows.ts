/**
 * Pending SSO sign-ins and used SAML assertion ids, through the definer
 * functions of migration 015 (the app role holds nothing on their tables).
 * A flow is named by the SHA-256 of its state (OIDC) or request id (SAML);
 * it is taken once, then completed once with a session.
 */
import { createHash } from 'node:crypto';
import type { Database } from '../../db/database.js';
import type { SsoKind } from './schemas.js';

type Db = Pick<Database, 'withSystem'>;

/** How long a started sign-in may take at the IdP. */
export const FLOW_TTL_SECONDS = 600;
/** How long after its flow is taken a sign-in may complete. */
const COMPLETE_WINDOW_SECONDS = 120;

export function flowKey(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export interface DiscoveredConnection {
  readonly workspace_id: string;
  readonly connection_id: string;
  readonly kind: SsoKind;
}

export async function discoverConnections(
  db: Db,
  by: { workspaceId: string } | { domain: string },
): Promise<DiscoveredConnection[]> {
  const [found] = await db.withSystem('sso: discover connections', (tx) =>
    tx.call(
      'sso_discover',
      'workspaceId' in by ? by.workspaceId : null,
      'domain' in by ? by.domain : null,
    ),
  );
  return (found ?? []) as DiscoveredConnection[];
}

export interface FlowStart {
  readonly key: string;
  readonly workspaceId: string;
  readonly connectionId: string;
  readonly kind: SsoKind;
  readonly nonce: string | null;
  readonly codeVerifier: string | null;
}

export async function beginFlow(db: Db, flow: FlowStart): Promise<void> {
  await db.withSystem('sso: begin sign-in', (tx) =>
    tx.call(
      'sso_flow_begin',
      flowKey(flow.key),
      flow.workspaceId,
      flow.connectionId,
      flow.kind,
      flow.nonce,
      flow.codeVerifier,
      FLOW_TTL_SECONDS,
    ),
  );
}

export interface TakenFlow {
  readonly key: string;
  readonly workspaceId: string;
  readonly connectionId: string;
  readonly nonce: string | null;
  readonly codeVerifier: string | null;
}

/** The live, unused flow of `key`, now used; undefined when there is none. */
export async function takeFlow(db: Db, key: string, kind: SsoKind): Promise<TakenFlow | undefined> {
  const [row] = (await db.withSystem('sso: take sign-in', (tx) =>
    tx.call('sso_flow_take', flowKey(key), kind),
  )) as ({
    workspace_id: string;
    connection_id: string;
    nonce: string | null;
    code_verifier: string | null;
  } | null)[];
  if (row === undefined || row === null) return undefined;
  return {
    key,
    workspaceId: row.workspace_id,
    connectionId: row.connection_id,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
  };
}

export interface SessionSettings {
  readonly sessionLifetimeSeconds: number;
  readonly sessionIdleSeconds: number;
}

/** A new session for a member of the flow's workspace; undefined when refused. */
export async function completeFlow(
  db: Db,
  flow: TakenFlow,
  input: { userId: string; sessionHash: Buffer; userAgent: string | null },
  settings: SessionSettings,
): Promise<string | undefined> {
  const [row] = (await db.withSystem('sso: complete sign-in', (tx) =>
    tx.call(
      'sso_flow_complete',
      flowKey(flow.key),
      input.userId,
      input.sessionHash,
      input.userAgent,
      settings.sessionLifetimeSeconds,
      settings.sessionIdleSeconds,
      COMPLETE_WINDOW_SECONDS,
    ),
  )) as ({ session_id: string } | null)[];
  return row?.session_id ?? undefined;
}

/** Records a SAML assertion as used; false when it was used before (a replay). */
export async function recordAssertion(
  db: Db,
  assertion: { issuer: string; id: string; notOnOrAfter: Date },
): Promise<boolean> {
  const [fresh] = await db.withSystem('sso: record SAML assertion', (tx) =>
    tx.call(
      'sso_assertion_record',
      assertion.issuer,
      assertion.id,
      assertion.notOnOrAfter.toISOString(),
    ),
  );
  return fresh === true;
}

/**
 * The gateway pipeline on the real stack: a test app (real PostgreSQL,
 * keyring, routes) whose gateway talks to the fake LLM upstream on
 * loopback, listening on a real port so the official SDKs can call it, with
 * every log line captured. The routing table sends every region to the
 * fake (the configured base URLs), except `me-south`, which allows no
 * endpoint at all (region refusal).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { systemPrincipal } from '../../src/db/principal.js';
import { buildRoutesTable, type RoutesOverride } from '../../src/base/llm-routes.js';
import { createLogger } from '../../src/base/logger.js';
import {
  createGateway,
  createHttpProvider,
  PriceBook,
  type BudgetGuard,
  type GatewayDeps,
  type PlatformKeys,
} from '../../src/modules/gateway/index.js';
import type { Region } from '../../src/modules/tenancy/create-workspace.js';
import { newWorkspace, startTestApp, type TestApp, type TestWorkspace } from '../support/app.js';
import { startFakeLlmUpstream, type FakeLlmUpstream } from '../support/fake-llm-upstream.js';
import { testKey } from './helpers.js';

export const BLOCKED_REGION: Region = 'me-south';

export interface Harness {
  readonly t: TestApp;
  readonly fake: FakeLlmUpstream;
  /** The customer's key the fake expects (shaped like an Anthropic key; OpenAI's prefix too). */
  readonly key: string;
  /** http://127.0.0.1:port of the listening app. */
  readonly url: string;
  /** Every log line the app wrote, at level trace. */
  readonly logs: string[];
  readonly deps: Omit<GatewayDeps, 'db' | 'keyring'>;
  close(): Promise<void>;
}

export function gatewayDeps(
  fake: FakeLlmUpstream,
  options: {
    platformKeys?: PlatformKeys;
    budget?: BudgetGuard;
    timeoutMs?: number;
    routes?: RoutesOverride;
  } = {},
): Omit<GatewayDeps, 'db' | 'keyring'> {
  return {
    prices: new PriceBook(),
    routes: buildRoutesTable({
      override: options.routes ?? { [BLOCKED_REGION]: { anthropic: [], openai: [] } },
      baseUrls: { anthropic: fake.anthropicBaseUrl, openai: fake.openaiBaseUrl },
    }),
    platformKeys: options.platformKeys ?? {},
    timeoutMs: options.timeoutMs ?? 10_000,
    maxPromptBytes: 64 * 1024,
    // One attempt: a scripted failure is final, so the tests see it as the fake sent it.
    provider: createHttpProvider({ retry: { maxAttempts: 1 } }),
    ...(options.budget === undefined ? {} : { budget: options.budget }),
  };
}

export async function startHarness(
  options: Parameters<typeof gatewayDeps>[1] = {},
): Promise<Harness> {
  const key = testKey();
  const fake = await startFakeLlmUpstream(key);
  const logs: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void logs.push(line) });
  const deps = gatewayDeps(fake, options);
  const t = await startTestApp({
    logger,
    gateway: ({ db, keyring }) => createGateway({ ...deps, db, keyring, logger }),
  });
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    t,
    fake,
    key,
    url,
    logs,
    deps,
    async close() {
      // After the aborted-stream test the server still counts one connection whose
      // socket, response and body have all closed (seen in a debugging run); close it.
      t.app.server.closeAllConnections();
      await t.close();
      await fake.close();
    },
  };
}

/** Adds an `llm_api_key` credential through the API; returns its id. */
export async function addKey(
  h: Pick<Harness, 't'>,
  ws: TestWorkspace,
  provider: 'anthropic' | 'openai',
  value: string,
): Promise<string> {
  const res = await h.t.app.inject({
    method: 'POST',
    url: `/api/v1/workspaces/${ws.id}/credentials`,
    headers: { authorization: `Bearer ${ws.ownerToken}` },
    payload: {
      kind: 'llm_api_key',
      provider,
      label: `key ${randomBytes(3).toString('hex')}`,
      secret: { value },
    },
  });
  if (res.statusCode !== 201) throw new Error(`adding a key failed: ${res.body}`);
  return res.json<{ id: string }>().id;
}

export async function revokeKey(
  h: Pick<Harness, 't'>,
  ws: TestWorkspace,
  id: string,
): Promise<void> {
  const res = await h.t.app.inject({
    method: 'DELETE',
    url: `/api/v1/workspaces/${ws.id}/credentials/${id}`,
    headers: { authorization: `Bearer ${ws.ownerToken}` },
  });
  if (res.statusCode >= 300) throw new Error(`revoking a key failed: ${res.body}`);
}

export interface AuditRow {
  readonly action: string;
  readonly correlation_id: string | null;
  readonly metadata: Record<string, unknown>;
  /** The whole row, as JSON text. */
  readonly text: string;
  /** The row's size as PostgreSQL stores it (pg_column_size of the row). */
  readonly storedBytes: number;
}

/** The workspace's `llm.call.*` events, oldest first, read as the app role sees them. */
export async function llmEvents(h: Pick<Harness, 't'>, wsId: string): Promise<AuditRow[]> {
  const rows = await h.t.db.withTenant(systemPrincipal(wsId, 'test'), (tx) =>
    tx
      .selectFrom('audit_log')
      .selectAll()
      .select(sql<number>`pg_column_size(audit_log.*)`.as('stored_bytes'))
      .where('action', 'like', 'llm.call.%')
      .orderBy('id')
      .execute(),
  );
  return rows.map((r) => ({
    action: r.action,
    correlation_id: r.correlation_id,
    metadata: (typeof r.metadata === 'string' ? JSON.parse(r.metadata) : r.metadata) as Record<
      string,
      unknown
    >,
    text: JSON.stringify(r),
    storedBytes: r.stored_bytes,
  }));
}

export async function workspaceIn(h: Pick<Harness, 't'>, region: Region): Promise<TestWorkspace> {
  return newWorkspace(h.t, region);
}

/**
 * Agent runs on the real stack: a test app (real PostgreSQL, keyring,
 * routes) whose gateway has the real budget guard and talks to the fake LLM
 * upstream on loopback, listening on a real port so a test can read the SSE
 * stream and cut it. A workspace comes with the customer's Anthropic key, an
 * agent and a conversation, all made through the API.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { createLogger } from '../../src/base/logger.js';
import { createBudgetGuard } from '../../src/modules/budgets/index.js';
import { createGateway, type Gateway } from '../../src/modules/gateway/index.js';
import { startTestApp, newWorkspace, type TestApp, type TestWorkspace } from '../support/app.js';
import { startFakeLlmUpstream, type FakeLlmUpstream } from '../support/fake-llm-upstream.js';
import { call, seedContent } from '../support/http.js';
import { addKey, gatewayDeps } from '../gateway/pipeline-harness.js';
import { testKey } from '../gateway/helpers.js';

export interface RunsHarness {
  readonly t: TestApp;
  readonly fake: FakeLlmUpstream;
  readonly key: string;
  readonly url: string;
  /** The app's gateway: `idle()` waits for the outcomes that follow answers. */
  readonly gateway: Gateway;
  close(): Promise<void>;
}

export async function startRunsHarness(): Promise<RunsHarness> {
  const key = testKey();
  const fake = await startFakeLlmUpstream(key);
  const logger = createLogger('silent');
  let gateway: Gateway | undefined;
  const t = await startTestApp({
    gateway: ({ db, keyring }) =>
      (gateway = createGateway({
        ...gatewayDeps(fake),
        db,
        keyring,
        logger,
        budget: createBudgetGuard({ db, logger }),
      })),
  });
  if (gateway === undefined) throw new Error('the test app built no gateway');
  const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    t,
    fake,
    key,
    url,
    gateway,
    async close() {
      t.app.server.closeAllConnections();
      await gateway?.idle();
      await t.close();
      await fake.close();
    },
  };
}

export interface RunWorkspace extends TestWorkspace {
  readonly agentId: string;
  readonly conversationId: string;
}

export async function runWorkspace(h: RunsHarness): Promise<RunWorkspace> {
  const ws = await newWorkspace(h.t, 'us');
  await addKey(h, ws, 'anthropic', h.key);
  const agentId = await createAgent(h, ws, `Scribe ${randomBytes(3).toString('hex')}`);
  const { conversationId } = await seedContent(h.t, ws, 'runs');
  return { ...ws, agentId, conversationId };
}

export async function createAgent(
  h: Pick<RunsHarness, 't'>,
  ws: TestWorkspace,
  name: string,
): Promise<string> {
  const res = await call(h.t, 'POST', `/api/v1/workspaces/${ws.id}/agents`, {
    token: ws.ownerToken,
    payload: {
      name,
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      system_prompt: 'You are the board secretary.',
      max_output_tokens: 256,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ id: string }>().id;
}

export interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** The SSE frames of a complete body. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

export const runsUrl = (ws: { id: string }, conversationId: string): string =>
  `/api/v1/workspaces/${ws.id}/conversations/${conversationId}/runs`;

/**
 * A client that leaves mid-stream cancels its run: the fake upstream sees
 * its connection closed, the run ends `cancelled` with no reply stored.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemPrincipal } from '../../src/db/principal.js';
import { call } from '../support/http.js';
import { runsUrl, runWorkspace, startRunsHarness, type RunsHarness } from './runs-harness.js';

let h: RunsHarness;

beforeAll(async () => {
  h = await startRunsHarness();
});
afterAll(() => h.close());

it('closing the stream cancels the run and closes the upstream call', async () => {
  const ws = await runWorkspace(h);
  h.fake.script({ kind: 'stall-mid-stream' });
  const closed = h.fake.clientClosed();
  const controller = new AbortController();
  const res = await fetch(`${h.url}${runsUrl(ws, ws.conversationId)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ws.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ agent_id: ws.agentId, content: 'Take your time.' }),
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  const reader = res.body?.getReader();
  if (reader === undefined) throw new Error('no body');
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n\n')) {
    const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (chunk.done) throw new Error(`stream ended early: ${text}`);
    text += decoder.decode(chunk.value, { stream: true });
  }
  expect(text).toMatch(/^event: run\n/);
  const runId = (JSON.parse(/data: (.*)/.exec(text)?.[1] ?? '{}') as { run_id: string }).run_id;
  controller.abort();
  await closed;
  expect(h.fake.closedEarly).toBeGreaterThan(0);

  // The run's end is written after the abort: wait for it (the test's timeout bounds the wait).
  let status = 'running';
  while (status === 'running') {
    const run = await call(h.t, 'GET', `${runsUrl(ws, ws.conversationId)}/${runId}`, {
      token: ws.ownerToken,
    });
    status = run.json<{ status: string }>().status;
    if (status === 'running') await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(status).toBe('cancelled');
  const rows = await h.t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
    tx.selectFrom('agent_runs').selectAll().where('id', '=', runId).execute(),
  );
  expect(rows[0]).toMatchObject({ error_code: 'cancelled', reply_message_id: null });
  const agentMessages = await h.t.db.withTenant(systemPrincipal(ws.id, 'test'), (tx) =>
    tx.selectFrom('messages').select('id').where('author_type', '=', 'agent').execute(),
  );
  expect(agentMessages).toHaveLength(0);
});

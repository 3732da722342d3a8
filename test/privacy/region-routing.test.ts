/**
 * A region change reaches LLM routing at once: the gateway reads the
 * workspace's region on every call, so the first call after an owner's
 * change is routed (or refused) by the new region, with the new legal
 * context in its audit events. Runs the real gateway pipeline against the
 * fake upstream (test/gateway's harness), where `me-south` allows no
 * endpoint at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/base/errors.js';
import { createGateway, type Gateway } from '../../src/modules/gateway/index.js';
import type { TestWorkspace } from '../support/app.js';
import { bodyFor, models, thrown } from '../gateway/helpers.js';
import {
  addKey,
  BLOCKED_REGION,
  llmEvents,
  startHarness,
  workspaceIn,
  type Harness,
} from '../gateway/pipeline-harness.js';

let h: Harness;
let gateway: Gateway;
beforeAll(async () => {
  h = await startHarness({ timeoutMs: 2000 });
  gateway = createGateway({ ...h.deps, db: h.t.db, keyring: h.t.keyring });
});
afterAll(() => h.close());

const ask = (ws: TestWorkspace) =>
  gateway.call({
    scope: { workspaceId: ws.id, userId: ws.ownerUserId, tokenId: null },
    operation: 'anthropic.messages',
    body: { model: models['anthropic.messages'], ...bodyFor('anthropic.messages') },
  });

/** The workspace's LLM events once the gateway's closing work (outcome events) is done. */
async function events(wsId: string) {
  await gateway.idle();
  return llmEvents(h, wsId);
}

async function changeRegion(ws: TestWorkspace, region: string): Promise<void> {
  const res = await h.t.app.inject({
    method: 'PUT',
    url: `/api/v1/workspaces/${ws.id}/privacy/residency`,
    headers: { authorization: `Bearer ${ws.ownerToken}` },
    payload: { region },
  });
  expect(res.statusCode, res.body).toBe(200);
}

describe('a region change and LLM routing', () => {
  it('routes the next call by the new region, and records its legal context', async () => {
    const ws = await workspaceIn(h, 'eu');
    await addKey(h, ws, 'anthropic', h.key);
    await ask(ws);
    expect((await events(ws.id)).at(0)?.metadata).toMatchObject({
      region: 'eu',
      legal: 'gdpr',
    });

    await changeRegion(ws, BLOCKED_REGION);
    const sent = h.fake.requests.length;
    const error = await thrown(ask(ws));
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('llm_region_blocked');
    expect(h.fake.requests.length).toBe(sent);
    expect((await events(ws.id)).at(-1)?.metadata).toMatchObject({
      region: BLOCKED_REGION,
      legal: 'bh-pdpl',
      error_code: 'llm_region_blocked',
    });

    await changeRegion(ws, 'us');
    await ask(ws);
    expect(h.fake.requests.length).toBe(sent + 1);
    const intents = (await events(ws.id)).filter((e) => e.action === 'llm.call.intent');
    expect(intents.at(-1)?.metadata).toMatchObject({ region: 'us' });
  });
});

/**
 * Shared setup for audit tests: a workspace with some history, the signer
 * and checkpoint folder, and a superuser client to tamper with.
 */
import { systemPrincipal as makeSystemPrincipal } from '../../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { chainPending } from '../../src/modules/audit/checkpoints.js';
import { signerFromSeed } from '../../src/modules/crypto/primitives/ed25519.js';
import { bearer, newWorkspace, type TestApp, type TestWorkspace } from './app.js';

export const signer = signerFromSeed(randomBytes(32));

export async function checkpointDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'wardroom-checkpoints-'));
}

export async function adminClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: inject('adminUrl') });
  await client.connect();
  return client;
}

/** A workspace with `rooms` workrooms, each with a conversation and a message. */
export async function workspaceWithHistory(t: TestApp, rooms = 3): Promise<TestWorkspace> {
  const ws = await newWorkspace(t);
  for (let i = 0; i < rooms; i++) {
    const wr = await t.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/workrooms`,
      payload: { name: `room ${i}` },
      headers: bearer(ws.ownerToken),
    });
    const conv = await t.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/workrooms/${wr.json<{ id: string }>().id}/conversations`,
      payload: {},
      headers: bearer(ws.ownerToken),
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/workspaces/${ws.id}/conversations/${conv.json<{ id: string }>().id}/messages`,
      payload: { content: `hello ${randomUUID()}` },
      headers: bearer(ws.ownerToken),
    });
  }
  await t.db.withTenant(systemPrincipal(ws.id), (tx) => chainPending(tx));
  return ws;
}

export const systemPrincipal = (tenantId: string) => makeSystemPrincipal(tenantId, 'test');

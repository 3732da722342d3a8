/**
 * The full stack: the real Wardroom server (zod, token auth, RLS tenant
 * transaction, per-workspace encryption) on the app role, with seeded
 * workspaces. Seeding goes through the same module functions the routes use.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createDatabase } from '../src/db/database.js';
import { buildServer } from '../src/http/server.js';
import { createLogger } from '../src/logger.js';
import { localKek } from '../src/modules/crypto/kek.js';
import { createKeyring } from '../src/modules/crypto/keyring.js';
import { createWorkspace } from '../src/modules/tenancy/create-workspace.js';
import { postMessage } from '../src/modules/workrooms/messages.js';
import { createConversation, createWorkroom } from '../src/modules/workrooms/workrooms.js';
import { appNameOf } from './cpu.js';
import type { RequestSpec, TargetInit, TargetReady } from './protocol.js';

function withAppName(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', appNameOf('full'));
  return parsed.toString();
}

export interface Started {
  readonly ready: TargetReady;
  close(): Promise<void>;
}

export async function startFull(init: TargetInit): Promise<Started> {
  const db = createDatabase({ appUrl: withAppName(init.appUrl), poolMax: init.poolMax });
  const keyring = createKeyring(localKek(randomBytes(32)));
  let app: FastifyInstance | undefined;
  try {
    const post: RequestSpec[] = [];
    const read: RequestSpec[] = [];
    for (let i = 0; i < init.workspaces; i += 1) {
      const created = await createWorkspace(db, keyring, {
        name: `Bench ${i}`,
        region: 'eu',
        ownerEmail: `bench-${randomBytes(6).toString('hex')}@example.test`,
      });
      const principal = {
        tenantId: created.workspaceId,
        actorType: 'system' as const,
        actorId: 'bench',
        correlationId: randomUUID(),
      };
      const conversations = await db.withTenant(principal, async (tx) => {
        const room = await createWorkroom(tx, { name: 'Bench', createdBy: created.ownerUserId });
        const make = (title: string) =>
          createConversation(tx, { workroomId: room.id, title, createdBy: created.ownerUserId });
        const writes = await make('writes');
        const reads = await make('reads');
        for (let m = 0; m < init.seedMessages; m += 1) {
          await postMessage(tx, keyring, {
            conversationId: reads.id,
            authorId: created.ownerUserId,
            content: init.content,
          });
        }
        return { writes: writes.id, reads: reads.id };
      });
      const base = `/api/v1/workspaces/${created.workspaceId}/conversations`;
      const auth = { authorization: `Bearer ${created.token}` };
      post.push({
        method: 'POST',
        path: `${base}/${conversations.writes}/messages`,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ content: init.content }),
      });
      read.push({
        method: 'GET',
        path: `${base}/${conversations.reads}/messages?limit=50`,
        headers: auth,
      });
    }
    app = await buildServer(
      { db, keyring },
      { bodyLimit: 1024 * 1024, logger: createLogger(init.logLevel) },
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const server = app;
    return {
      ready: { type: 'ready', port, post, read },
      async close() {
        await server.close();
        await db.close();
      },
    };
  } catch (error) {
    await app?.close();
    await db.close();
    throw error;
  }
}

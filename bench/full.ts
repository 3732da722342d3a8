/**
 * The full stack: the real Wardroom server (zod, token auth, RLS tenant
 * transaction, per-workspace encryption) on the app role, with seeded
 * workspaces. Seeding goes through the same module functions the routes use.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createDatabase } from '../src/db/database.js';
import { buildServer } from '../src/api/server.js';
import { createLogger } from '../src/base/logger.js';
import { localKek } from '../src/modules/crypto/index.js';
import { benchRoots } from './roots.js';
import { createKeyring } from '../src/modules/keys/keyring.js';
import { postMessage } from '../src/modules/workrooms/messages.js';
import { appNameOf } from './cpu.js';
import type { RequestSpec, TargetInit } from './protocol.js';
import { seedWorkspaces } from './seed.js';
import { listening, type Started } from './started.js';

function withAppName(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', appNameOf('full'));
  return parsed.toString();
}

export async function startFull(init: TargetInit): Promise<Started> {
  const db = createDatabase({ appUrl: withAppName(init.appUrl), poolMax: init.poolMax });
  const keyring = createKeyring(localKek(randomBytes(32)), { roots: await benchRoots() });
  let app: FastifyInstance | undefined;
  try {
    const post: RequestSpec[] = [];
    const read: RequestSpec[] = [];
    const seeded = await seedWorkspaces(db, keyring, init, (tx, conversationId, authorId) =>
      postMessage(tx, keyring, { conversationId, authorId, content: init.content }),
    );
    for (const ws of seeded) {
      const base = `/api/v1/workspaces/${ws.workspaceId}/conversations`;
      const auth = { authorization: `Bearer ${ws.token}` };
      post.push({
        method: 'POST',
        path: `${base}/${ws.writes}/messages`,
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ content: init.content }),
      });
      read.push({
        method: 'GET',
        path: `${base}/${ws.reads}/messages?limit=50`,
        headers: auth,
      });
    }
    app = await buildServer(
      { db, keyring },
      { bodyLimit: 1024 * 1024, logger: createLogger(init.logLevel) },
    );
    return await listening(app, { post, read }, () => db.close());
  } catch (error) {
    await app?.close();
    await db.close();
    throw error;
  }
}

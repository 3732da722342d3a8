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
import {
  DEFAULT_AUTH_SETTINGS,
  SessionCache,
  subscribeSessionEvents,
} from '../src/modules/auth/index.js';
import type { ServerAuth } from '../src/api/server.js';
import { localKek } from '../src/modules/crypto/index.js';
import { benchRoots } from './roots.js';
import { createKeyring } from '../src/modules/keys/keyring.js';
import { postMessage } from '../src/modules/workrooms/messages.js';
import { appNameOf } from './cpu.js';
import type { RequestSpec, Scenario, TargetInit } from './protocol.js';
import { BENCH_ORIGIN, seedWorkspaces, sessionHeaders, signIn } from './seed.js';
import { listening, type Started } from './started.js';

function withAppName(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('application_name', appNameOf('full'));
  return parsed.toString();
}

export async function startFull(init: TargetInit): Promise<Started> {
  const db = createDatabase({ appUrl: withAppName(init.appUrl), poolMax: init.poolMax });
  const keyring = createKeyring(localKek(randomBytes(32)), { roots: await benchRoots() });
  const secret = randomBytes(32);
  let app: FastifyInstance | undefined;
  try {
    const requests: Record<Scenario, RequestSpec[]> = {
      post: [],
      read: [],
      sessionPost: [],
      sessionRead: [],
    };
    const seeded = await seedWorkspaces(db, keyring, init, (tx, conversationId, authorId) =>
      postMessage(tx, keyring, { conversationId, authorId, content: init.content }),
    );
    for (const ws of seeded) {
      const base = `/api/v1/workspaces/${ws.workspaceId}/conversations`;
      const auth = { authorization: `Bearer ${ws.token}` };
      const session = await signIn(db, secret, ws.ownerEmail);
      const post = (headers: Record<string, string>): RequestSpec => ({
        method: 'POST',
        path: `${base}/${ws.writes}/messages`,
        headers,
        body: JSON.stringify({ content: init.content }),
      });
      const read = (headers: Record<string, string>): RequestSpec => ({
        method: 'GET',
        path: `${base}/${ws.reads}/messages?limit=50`,
        headers,
      });
      requests.post.push(post({ ...auth, 'content-type': 'application/json' }));
      requests.read.push(read(auth));
      requests.sessionPost.push(post(sessionHeaders(session, true)));
      requests.sessionRead.push(read(sessionHeaders(session, false)));
    }
    // As in every server process: resolved sessions cached, revocations heard.
    const sessionCache = new SessionCache();
    await subscribeSessionEvents(db, sessionCache);
    app = await buildServer(
      { db, keyring, auth: { ...benchAuth(secret), sessionCache } },
      { bodyLimit: 1024 * 1024, logger: createLogger(init.logLevel) },
    );
    return await listening(app, requests, () => db.close());
  } catch (error) {
    await app?.close();
    await db.close();
    throw error;
  }
}

/** Sessions as a deployment runs them; the bench's origin is the server's public URL. */
function benchAuth(secret: Buffer): ServerAuth {
  return {
    secret,
    sender: { sendCode: () => Promise.resolve() },
    settings: DEFAULT_AUTH_SETTINGS,
    signInLimits: { perIpPerHour: 1_000_000, perAddressPerHour: 1_000_000 },
    publicOrigin: BENCH_ORIGIN,
  };
}

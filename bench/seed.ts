/**
 * Bench workspaces, seeded through the same module functions the routes use:
 * each gets an owner token, a workroom, a conversation to post into and one
 * to read from, filled with `seedMessages` messages by the target's own
 * `addMessage` (sealed by the full stack, plain bytes for the same-SQL one).
 */
import { systemPrincipal } from '../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../src/db/database.js';
import type { TenantTx } from '../src/db/tenant-tx.js';
import type { Keyring } from '../src/modules/keys/keyring.js';
import { createWorkspace } from '../src/modules/tenancy/create-workspace.js';
import { createConversation, createWorkroom } from '../src/modules/workrooms/workrooms.js';
import { DEFAULT_AUTH_SETTINGS } from '../src/modules/auth/index.js';
import { startSignIn, verifySignIn } from '../src/modules/auth/sign-in.js';
import type { TargetInit } from './protocol.js';

export interface SeededWorkspace {
  readonly workspaceId: string;
  readonly token: string;
  readonly ownerEmail: string;
  /** Conversation the POST load writes into. */
  readonly writes: string;
  /** Conversation holding the seeded messages the GET load reads. */
  readonly reads: string;
}

export async function seedWorkspaces(
  db: Database,
  keyring: Keyring,
  init: TargetInit,
  addMessage: (tx: TenantTx, conversationId: string, authorId: string) => Promise<unknown>,
): Promise<SeededWorkspace[]> {
  const seeded: SeededWorkspace[] = [];
  for (let i = 0; i < init.workspaces; i += 1) {
    const ownerEmail = `bench-${randomBytes(6).toString('hex')}@example.test`;
    const created = await createWorkspace(
      db,
      keyring,
      { name: `Bench ${init.kind} ${i}`, region: 'eu', ownerEmail },
      (id) => systemPrincipal(id, 'bench'),
    );
    const principal = systemPrincipal(created.workspaceId, 'bench');
    const conversations = await db.withTenant(principal, async (tx) => {
      const room = await createWorkroom(tx, keyring, {
        name: 'Bench',
        createdBy: created.ownerUserId,
      });
      const make = (title: string) =>
        createConversation(tx, keyring, {
          workroomId: room.id,
          title,
          createdBy: created.ownerUserId,
        });
      const writes = await make('writes');
      const reads = await make('reads');
      for (let m = 0; m < init.seedMessages; m += 1) {
        await addMessage(tx, reads.id, created.ownerUserId);
      }
      return { writes: writes.id, reads: reads.id };
    });
    seeded.push({
      workspaceId: created.workspaceId,
      token: created.token,
      ownerEmail,
      ...conversations,
    });
  }
  return seeded;
}

/** The bench's own origin, configured as the server's public URL, sent as Origin on changes. */
export const BENCH_ORIGIN = 'http://bench.wardroom.test';

/**
 * A browser session for `email`, through the sign-in code (start, the code
 * as the mail would carry it, verify): its cookie token and CSRF token.
 */
export async function signIn(
  db: Database,
  secret: Buffer,
  email: string,
): Promise<{ token: string; csrfToken: string }> {
  let received: (code: string) => void = () => undefined;
  const code = new Promise<string>((resolve) => (received = resolve));
  const deps = {
    db,
    secret,
    settings: DEFAULT_AUTH_SETTINGS,
    sender: {
      sendCode: (m: { code: string }) => {
        received(m.code);
        return Promise.resolve();
      },
    },
  };
  const origin = { correlationId: randomUUID(), userAgent: 'autocannon' };
  await startSignIn(deps, email, origin);
  const signed = await verifySignIn(deps, { email, code: await code }, origin);
  return { token: signed.token, csrfToken: signed.csrfToken };
}

/** The headers of a signed-in browser request: the cookie, and on a change CSRF and Origin. */
export function sessionHeaders(
  session: { token: string; csrfToken: string },
  change: boolean,
): Record<string, string> {
  const cookie = { cookie: `wardroom_session=${session.token}` };
  if (!change) return cookie;
  return {
    ...cookie,
    'content-type': 'application/json',
    'x-csrf-token': session.csrfToken,
    origin: BENCH_ORIGIN,
  };
}

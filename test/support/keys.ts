/**
 * Key rotation test rig: the run's database as the app role, a master key
 * provider, keyrings that (optionally) follow key events the way every
 * server process does, workspaces with conversations full of sealed
 * messages written through the real module code, and superuser reads.
 */
import { systemPrincipal } from '../../src/db/principal.js';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.js';
import type { Principal } from '../../src/db/principal.js';
import type { TenantTx } from '../../src/db/tenant-tx.js';
import { localKeks } from '../../src/modules/crypto/kek/local.js';
import type { KekProvider } from '../../src/modules/crypto/index.js';
import { createKeyring, type Keyring } from '../../src/modules/keys/keyring.js';
import { subscribeKeyEvents, type KeyEvent } from '../../src/modules/keys/rotation/key-events.js';
import { createWorkspace } from '../../src/modules/tenancy/create-workspace.js';
import { postMessage } from '../../src/modules/workrooms/messages.js';
import { testRoots } from './root-keys.js';

export const masterKeys = new Map([[1, randomBytes(32)]]);
export const kekV1: KekProvider = localKeks({ id: 'test:rotation', current: 1, keys: masterKeys });

export function principal(tenantId: string): Principal {
  return systemPrincipal(tenantId, 'test');
}

export interface Process {
  readonly db: Database;
  readonly keyring: Keyring;
  /** Resolves with the next key event this process hears for `tenantId`. */
  nextEvent(tenantId: string): Promise<KeyEvent>;
  /** How often its listener came back after losing its connection. */
  reconnects(): number;
  close(): Promise<void>;
}

/**
 * One "server process": its own pool and keyring, with a policy and key
 * cache far longer than any test (unless `keyTtlMs` says otherwise), so only
 * key events can make it notice a change.
 */
export async function startProcess(
  options: {
    kek?: KekProvider;
    listen?: boolean;
    poolMax?: number;
    applicationName?: string;
    keyTtlMs?: number;
  } = {},
): Promise<Process> {
  const url = new URL(inject('appUrl'));
  // Names this process's connections (the listener's too), so a test can find and kill them.
  if (options.applicationName !== undefined) {
    url.searchParams.set('application_name', options.applicationName);
  }
  const db = createDatabase({ appUrl: url.toString(), poolMax: options.poolMax ?? 4 });
  const keyring = createKeyring(options.kek ?? kekV1, {
    roots: testRoots,
    primaryTtlMs: 3_600_000,
    keyTtlMs: options.keyTtlMs ?? 3_600_000,
  });
  const waiting: { tenantId: string; resolve: (e: KeyEvent) => void }[] = [];
  let reconnects = 0;
  if (options.listen !== false) {
    await subscribeKeyEvents(db, keyring, (event) => {
      if (event === 'reconnected') {
        reconnects += 1;
        return;
      }
      for (const w of waiting.filter((x) => x.tenantId === event.tenant_id)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
    });
  }
  return {
    db,
    keyring,
    nextEvent: (tenantId) =>
      new Promise<KeyEvent>((resolve) => waiting.push({ tenantId, resolve })),
    reconnects: () => reconnects,
    close: () => db.close(),
  };
}

export interface Filled {
  readonly tenantId: string;
  readonly name: string;
  readonly conversationId: string;
  readonly ownerId: string;
  /** message id → plaintext */
  readonly messages: Map<string, string>;
}

export async function newFilledWorkspace(p: Process, count: number): Promise<Filled> {
  const name = `Keys ${randomBytes(4).toString('hex')}`;
  const ws = await createWorkspace(
    p.db,
    p.keyring,
    {
      name,
      region: 'eu',
      ownerEmail: `keys-${randomBytes(5).toString('hex')}@example.test`,
    },
    (id) => systemPrincipal(id, 'test'),
  );
  // A nameless workroom and untitled conversation, written directly: the
  // filled workspace's only sealed rows are its messages, which the rotation
  // tests count (names are sealed too, see sealed-names.test.ts).
  const conversationId = await p.db.withTenant(principal(ws.workspaceId), async (tx) => {
    const room = await tx
      .insertInto('workrooms')
      .values({ tenant_id: ws.workspaceId, id: randomUUID(), created_by: ws.ownerUserId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const conv = await tx
      .insertInto('conversations')
      .values({
        tenant_id: ws.workspaceId,
        id: randomUUID(),
        workroom_id: room.id,
        created_by: ws.ownerUserId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return conv.id;
  });
  const filled = {
    tenantId: ws.workspaceId,
    name,
    conversationId,
    ownerId: ws.ownerUserId,
    messages: new Map<string, string>(),
  };
  await addMessages(p, filled, count);
  return filled;
}

export async function addMessages(p: Process, ws: Filled, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += 200) {
    await p.db.withTenant(principal(ws.tenantId), async (tx) => {
      for (let i = done; i < Math.min(count, done + 200); i += 1) {
        const content = `secret ${i} ${randomBytes(6).toString('hex')}`;
        const m = await postMessage(tx, p.keyring, {
          conversationId: ws.conversationId,
          authorId: ws.ownerId,
          content,
        });
        ws.messages.set(m.id, content);
        ids.push(m.id);
      }
    });
  }
  return ids;
}

export async function connectSuperuser(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: inject('adminUrl') });
  await client.connect();
  return client;
}

/** Rows of messages per envelope key version, read as the superuser. */
export async function versionCounts(
  admin: pg.ClientBase,
  tenantId: string,
): Promise<Record<number, number>> {
  const { rows } = await admin.query<{ v: number; n: string }>(
    `select (get_byte(content, 18) << 24 | get_byte(content, 19) << 16
             | get_byte(content, 20) << 8 | get_byte(content, 21)) as v, count(*) as n
       from wardroom.messages where tenant_id = $1 group by 1 order by 1`,
    [tenantId],
  );
  return Object.fromEntries(rows.map((r) => [r.v, Number(r.n)]));
}

/** How many audit events of `action` each target id has, for one workspace. */
export async function auditCounts(
  admin: pg.ClientBase,
  tenantId: string,
  action: string,
): Promise<Map<string, number>> {
  const { rows } = await admin.query<{ id: string; n: string }>(
    `select t ->> 'id' as id, count(*) as n
       from wardroom.audit_log a cross join jsonb_array_elements(a.targets) t
      where a.tenant_id = $1 and a.action = $2 group by 1`,
    [tenantId, action],
  );
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/**
 * A message's field ref as messages.ts builds it (its row, conversation and
 * author bound, envelope format 2), read from the row as the app role.
 */
export async function messageRef(tx: TenantTx, id: string) {
  const row = await tx
    .selectFrom('messages')
    .select(['conversation_id', 'author_type', 'author_id'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    table: 'messages',
    column: 'content',
    rowId: id,
    bound: [row.conversation_id, row.author_type, row.author_id],
  };
}

/** The same ref for a message posted by addMessages() (the owner, in the filled conversation). */
export function filledRef(ws: Filled, id: string) {
  const bound = [ws.conversationId, 'user', ws.ownerId];
  return { table: 'messages', column: 'content', rowId: id, bound };
}

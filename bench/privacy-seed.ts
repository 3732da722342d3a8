/**
 * The privacy bench's workspace: 1,000,000 messages (BENCH_PRIVACY_MESSAGES)
 * in one workspace, kept between runs. The database is a named one
 * (`wardroom_bench_privacy`), its roles, passwords, master key and root key
 * folder recorded in a state file beside it; a run reuses it when the state
 * file is there and the workspace holds exactly the expected messages, and
 * otherwise drops and seeds it again.
 *
 * Seeding seals every message exactly as the app does (`keyring.seal` with
 * `contentRef`, the same binding to conversation and author) and inserts
 * them as the app role in the workspace's tenant transaction, thousands of
 * rows per `INSERT … SELECT unnest(…)`, so RLS, the composite foreign keys
 * and the audit statement triggers all run: each message also gets its
 * `message.created` audit event, as through the API, and the chain is then
 * sealed, so the export has a realistic audit log to write too.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { withCredentials } from '../src/db/connect.js';
import { createDatabase, type Database } from '../src/db/database.js';
import { migrate } from '../src/db/migrate.js';
import { systemPrincipal } from '../src/db/principal.js';
import { quoteIdent, roleNames } from '../src/db/roles.js';
import { fileKeyStore, localKek } from '../src/modules/crypto/index.js';
import { createKeyring, type Keyring } from '../src/modules/keys/keyring.js';
import { createWorkspace } from '../src/modules/tenancy/create-workspace.js';
import { contentRef } from '../src/modules/workrooms/messages.js';
import { createConversation, createWorkroom } from '../src/modules/workrooms/workrooms.js';
import { declareQueues } from '../src/start-privacy.js';

export const DB_NAME = 'wardroom_bench_privacy';
const ROLE_PREFIX = 'wrbpriv_';
const BATCH = 5000;
const WORKROOMS = 10;
const CONVERSATIONS_PER_ROOM = 100;

/** What a child process needs to reach the seeded workspace. */
export interface BenchState {
  readonly adminUrl: string;
  readonly appUrl: string;
  readonly kekHex: string;
  readonly rootsDir: string;
  readonly workspaceId: string;
  readonly ownerUserId: string;
  readonly messages: number;
}

export const stateDir = (): string => path.join(os.tmpdir(), 'wardroom-bench-privacy');
const stateFile = (): string => path.join(stateDir(), 'state.json');

function dbUrl(clusterUrl: string): string {
  const url = new URL(clusterUrl);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
}

export function openKeyring(state: Pick<BenchState, 'kekHex' | 'rootsDir'>): Promise<Keyring> {
  return fileKeyStore(state.rootsDir).then((roots) =>
    createKeyring(localKek(Buffer.from(state.kekHex, 'hex')), { roots }),
  );
}

/** The cached workspace if it still holds `messages` messages, else undefined. */
async function cached(messages: number): Promise<BenchState | undefined> {
  if (!fs.existsSync(stateFile())) return undefined;
  const state = JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as BenchState;
  if (state.messages !== messages) return undefined;
  const client = new pg.Client({ connectionString: state.adminUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>(
      'select count(*) as n from wardroom.messages where tenant_id = $1',
      [state.workspaceId],
    );
    return Number(rows[0]?.n ?? -1) === messages ? state : undefined;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function recreate(
  clusterUrl: string,
): Promise<Omit<BenchState, 'workspaceId' | 'ownerUserId' | 'messages'>> {
  const roles = roleNames(ROLE_PREFIX);
  const admin = new pg.Client({ connectionString: clusterUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${quoteIdent(DB_NAME)} with (force)`);
    for (const role of [roles.app, roles.jobs, roles.ops, roles.owner]) {
      await admin.query(`drop role if exists ${quoteIdent(role)}`);
    }
    await admin.query(`create database ${quoteIdent(DB_NAME)}`);
  } finally {
    await admin.end();
  }
  const adminUrl = dbUrl(clusterUrl);
  const appPassword = randomBytes(16).toString('hex');
  const jobsPassword = randomBytes(16).toString('hex');
  await migrate({ adminUrl, roles, appPassword, jobsPassword, declareQueues });
  fs.rmSync(stateDir(), { recursive: true, force: true });
  const rootsDir = path.join(stateDir(), 'roots');
  fs.mkdirSync(rootsDir, { recursive: true, mode: 0o700 });
  return {
    adminUrl,
    appUrl: withCredentials(adminUrl, roles.app, appPassword),
    kekHex: randomBytes(32).toString('hex'),
    rootsDir,
  };
}

/** Ten workrooms of a hundred conversations each; returns the conversation ids. */
async function rooms(db: Database, keyring: Keyring, ws: string, owner: string): Promise<string[]> {
  return db.withTenant(systemPrincipal(ws, 'bench'), async (tx) => {
    const ids: string[] = [];
    for (let r = 0; r < WORKROOMS; r += 1) {
      const room = await createWorkroom(tx, keyring, { name: `Room ${r}`, createdBy: owner });
      for (let c = 0; c < CONVERSATIONS_PER_ROOM; c += 1) {
        const conv = await createConversation(tx, keyring, {
          workroomId: room.id,
          title: `Conversation ${r}.${c}`,
          createdBy: owner,
        });
        ids.push(conv.id);
      }
    }
    return ids;
  });
}

/** About 200 bytes of text, different per message. */
function content(n: number): string {
  const words = ['budget', 'proposal', 'review', 'draft', 'client', 'timeline', 'scope', 'risk'];
  const parts: string[] = [`Message ${n}:`];
  while (parts.join(' ').length < 190)
    parts.push(words[(n * 7 + parts.length) % words.length] ?? '');
  return parts.join(' ');
}

async function insertBatch(
  db: Database,
  keyring: Keyring,
  ws: string,
  owner: string,
  rows: readonly { id: string; conversationId: string; n: number }[],
): Promise<void> {
  await db.withTenant(systemPrincipal(ws, 'bench'), async (tx) => {
    const sealed: Buffer[] = [];
    const author = { author_type: 'user' as const, author_id: owner };
    for (const r of rows) {
      const ref = contentRef(r.id, r.conversationId, author);
      sealed.push(await keyring.seal(tx, ref, Buffer.from(content(r.n), 'utf8')));
    }
    await sql`insert into wardroom.messages (tenant_id, id, conversation_id, author_type, author_id, content)
      select ${ws}::uuid, m.id, m.conversation_id, 'user', ${owner}::uuid, m.content
        from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.conversationId)}::uuid[],
                    ${sealed}::bytea[]) as m(id, conversation_id, content)`.execute(tx);
  });
}

async function chainAudit(adminUrl: string, ws: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (;;) {
      const { rows } = await admin.query<{ n: number }>(
        'select wardroom.audit_seal_workspace($1, 50000) as n',
        [ws],
      );
      if ((rows[0]?.n ?? 0) === 0) break;
    }
  } finally {
    await admin.end();
  }
}

async function seed(
  clusterUrl: string,
  messages: number,
  log: (s: string) => void,
): Promise<BenchState> {
  const base = await recreate(clusterUrl);
  const db = createDatabase({ appUrl: base.appUrl, poolMax: 2 });
  try {
    const keyring = await openKeyring(base);
    const created = await createWorkspace(
      db,
      keyring,
      { name: 'Privacy bench', region: 'eu', ownerEmail: 'bench-owner@example.test' },
      (id) => systemPrincipal(id, 'bench'),
    );
    const ws = created.workspaceId;
    const owner = created.ownerUserId;
    const conversations = await rooms(db, keyring, ws, owner);
    for (let start = 0; start < messages; start += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, messages - start) }, (_, i) => ({
        id: uuidv7(),
        conversationId: conversations[(start + i) % conversations.length] ?? '',
        n: start + i,
      }));
      await insertBatch(db, keyring, ws, owner, rows);
      if ((start / BATCH) % 20 === 19) log(`  seeded ${start + rows.length} messages`);
    }
    log('  chaining the audit log');
    await chainAudit(base.adminUrl, ws);
    await db.close();
    const admin = new pg.Client({ connectionString: base.adminUrl });
    await admin.connect();
    await admin.query('vacuum analyze');
    await admin.end();
    const state: BenchState = { ...base, workspaceId: ws, ownerUserId: owner, messages };
    fs.writeFileSync(stateFile(), JSON.stringify(state), { mode: 0o600 });
    return state;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** The seeded workspace: the cached one if it matches, else a fresh seed (timed). */
export async function benchWorkspace(
  clusterUrl: string,
  messages: number,
  log: (s: string) => void,
): Promise<{ state: BenchState; seededSeconds: number | null }> {
  const hit = await cached(messages);
  if (hit !== undefined) return { state: hit, seededSeconds: null };
  log(`seeding ${messages} messages into ${DB_NAME} (kept for later runs)`);
  const started = process.hrtime.bigint();
  const state = await seed(clusterUrl, messages, log);
  return { state, seededSeconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

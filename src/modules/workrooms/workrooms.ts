/**
 * Workrooms and their conversations. Tenant filtering is RLS's job: these
 * queries never say `where tenant_id = ?`; they only set tenant_id on insert
 * (and the policy's WITH CHECK refuses any other value).
 *
 * A workroom's name and a conversation's title are written by customers, so
 * they are sealed under the workspace's data key like message content
 * (name_sealed, title_sealed; keys/sealed-fields.ts), the name bound to its
 * workroom's id, the title to its conversation's id and workroom: one moved
 * to another row, workroom or workspace fails to open. The plaintext column
 * is written NULL; it holds a value only in rows written before migration
 * 011, served until `wardroom keys seal-names` seals it. Listing opens each
 * name once (the keyring caches the key): no query more per row, and the
 * order is by id, as before, never by name.
 */
import { v7 as uuidv7 } from 'uuid';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import { decodeCursor, toPage } from '../../db/cursor.js';
import type { Keyring } from '../keys/index.js';

type Sealer = Pick<Keyring, 'seal'>;
type Opener = Pick<Keyring, 'open'>;

export interface WorkroomView {
  readonly id: string;
  readonly name: string;
  readonly created_by: string;
  readonly created_at: string;
}

export interface ConversationView {
  readonly id: string;
  readonly workroom_id: string;
  readonly title: string | null;
  readonly created_by: string;
  readonly created_at: string;
}

export const nameRef = (id: string) => ({
  table: 'workrooms',
  column: 'name_sealed',
  rowId: id.toLowerCase(),
  bound: [],
});

export const titleRef = (id: string, workroomId: string) => ({
  table: 'conversations',
  column: 'title_sealed',
  rowId: id.toLowerCase(),
  bound: [workroomId.toLowerCase()],
});

interface WorkroomRow {
  id: string;
  name: string | null;
  name_sealed: Buffer | null;
  created_by: string;
  created_at: Date;
}

const COLUMNS = ['id', 'name', 'name_sealed', 'created_by', 'created_at'] as const;

async function toView(tx: TenantTx, keyring: Opener, r: WorkroomRow): Promise<WorkroomView> {
  const name =
    r.name_sealed === null
      ? (r.name ?? '')
      : (await keyring.open(tx, nameRef(r.id), r.name_sealed)).toString('utf8');
  return { id: r.id, name, created_by: r.created_by, created_at: r.created_at.toISOString() };
}

export async function createWorkroom(
  tx: TenantTx,
  keyring: Sealer,
  input: { name: string; createdBy: string },
): Promise<WorkroomView> {
  const id = uuidv7();
  const sealed = await keyring.seal(tx, nameRef(id), Buffer.from(input.name, 'utf8'));
  const row = await tx
    .insertInto('workrooms')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id,
      name: null,
      name_sealed: sealed,
      created_by: input.createdBy,
    })
    .returning(['id', 'created_by', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, name: input.name, created_at: row.created_at.toISOString() };
}

export async function listWorkrooms(
  tx: TenantTx,
  keyring: Opener,
  page: { limit: number; cursor?: string | undefined },
): Promise<{ items: WorkroomView[]; next_cursor: string | null }> {
  const after = decodeCursor(page.cursor);
  let query = tx.selectFrom('workrooms').select(COLUMNS);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = await query
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
  // The row past the page only says whether a next page exists: it is not opened.
  const { next_cursor } = toPage(rows, page.limit);
  const items = await Promise.all(rows.slice(0, page.limit).map((r) => toView(tx, keyring, r)));
  return { items, next_cursor };
}

export async function getWorkroom(
  tx: TenantTx,
  keyring: Opener,
  id: string,
): Promise<WorkroomView> {
  const row = await tx
    .selectFrom('workrooms')
    .select(COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Workroom not found');
  return toView(tx, keyring, row);
}

export async function createConversation(
  tx: TenantTx,
  keyring: Sealer,
  input: { workroomId: string; title: string | null; createdBy: string },
): Promise<ConversationView> {
  const workroom = await tx
    .selectFrom('workrooms')
    .select('id')
    .where('id', '=', input.workroomId)
    .executeTakeFirst();
  if (workroom === undefined) throw new AppError('not_found', 'Workroom not found');
  const id = uuidv7();
  const sealed =
    input.title === null
      ? null
      : await keyring.seal(tx, titleRef(id, workroom.id), Buffer.from(input.title, 'utf8'));
  const row = await tx
    .insertInto('conversations')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id,
      workroom_id: workroom.id,
      title: null,
      title_sealed: sealed,
      created_by: input.createdBy,
    })
    .returning(['id', 'workroom_id', 'created_by', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, title: input.title, created_at: row.created_at.toISOString() };
}

export async function assertConversationExists(tx: TenantTx, id: string): Promise<void> {
  const row = await tx
    .selectFrom('conversations')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Conversation not found');
}

const CONVERSATION_COLUMNS = [
  'id',
  'workroom_id',
  'title',
  'title_sealed',
  'created_by',
  'created_at',
] as const;

interface ConversationRow {
  id: string;
  workroom_id: string;
  title: string | null;
  title_sealed: Buffer | null;
  created_by: string;
  created_at: Date;
}

async function toConversationView(
  tx: TenantTx,
  keyring: Opener,
  r: ConversationRow,
): Promise<ConversationView> {
  const title =
    r.title_sealed === null
      ? r.title
      : (await keyring.open(tx, titleRef(r.id, r.workroom_id), r.title_sealed)).toString('utf8');
  return {
    id: r.id,
    workroom_id: r.workroom_id,
    title,
    created_by: r.created_by,
    created_at: r.created_at.toISOString(),
  };
}

/** A workroom's conversations, oldest first; `not_found` for a missing workroom. */
export async function listConversations(
  tx: TenantTx,
  keyring: Opener,
  input: { workroomId: string; limit: number; cursor?: string | undefined },
): Promise<{ items: ConversationView[]; next_cursor: string | null }> {
  const workroom = await tx
    .selectFrom('workrooms')
    .select('id')
    .where('id', '=', input.workroomId)
    .executeTakeFirst();
  if (workroom === undefined) throw new AppError('not_found', 'Workroom not found');
  const after = decodeCursor(input.cursor);
  let query = tx
    .selectFrom('conversations')
    .select(CONVERSATION_COLUMNS)
    .where('workroom_id', '=', workroom.id);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = await query
    .orderBy('id')
    .limit(input.limit + 1)
    .execute();
  const { next_cursor } = toPage(rows, input.limit);
  const items = await Promise.all(
    rows.slice(0, input.limit).map((r) => toConversationView(tx, keyring, r)),
  );
  return { items, next_cursor };
}

export async function getConversation(
  tx: TenantTx,
  keyring: Opener,
  id: string,
): Promise<ConversationView> {
  const row = await tx
    .selectFrom('conversations')
    .select(CONVERSATION_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', 'Conversation not found');
  return toConversationView(tx, keyring, row);
}

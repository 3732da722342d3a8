/**
 * Messages. Content is sealed under the workspace's data key before the row
 * is written and opened after it is read; the database only ever holds the
 * envelope. The envelope is bound to (workspace, messages, content, id) and
 * to what the message means: its conversation and its author (author_type,
 * author_id), in the order keys/sealed-fields.ts lists them. A message moved
 * to another conversation or given another author (by someone editing rows
 * past the API) fails to open with decryption_failed instead of being served
 * there. Ids are bound as PostgreSQL prints them, lower case.
 */
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { DB } from '../../db/schema.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { decodeCursor, toPage } from '../../db/cursor.js';
import { compiled } from '../../db/compiled.js';
import type { Keyring } from '../keys/index.js';
import { assertConversationExists } from './workrooms.js';

export interface MessageView {
  readonly id: string;
  readonly conversation_id: string;
  readonly author_type: 'user' | 'agent' | 'system';
  readonly author_id: string | null;
  readonly content: string;
  readonly created_at: string;
}

/** oldest_first (the default) pages forward from the first message; newest_first pages back from the last. */
export type MessageOrder = 'oldest_first' | 'newest_first';

type Author = Pick<MessageView, 'author_type' | 'author_id'>;

export const contentRef = (id: string, conversationId: string, author: Author) => ({
  table: 'messages',
  column: 'content',
  rowId: id,
  bound: [
    conversationId.toLowerCase(),
    author.author_type,
    author.author_id?.toLowerCase() ?? null,
  ],
});

// The request path's statements, compiled once (db/compiled.ts).
const insertMessage = compiled(
  6,
  (
    db,
    tenantId: string,
    id: string,
    conversationId: string,
    authorType: MessageView['author_type'],
    authorId: string,
    content: Buffer,
  ) =>
    db
      .insertInto('messages')
      .values({
        tenant_id: tenantId,
        id,
        conversation_id: conversationId,
        author_type: authorType,
        author_id: authorId,
        content,
      })
      .returning(['id', 'conversation_id', 'author_type', 'author_id', 'created_at']),
);
const selectPage = (db: Kysely<DB>, conversationId: string) =>
  db
    .selectFrom('messages')
    .select(['id', 'conversation_id', 'author_type', 'author_id', 'content', 'created_at'])
    .where('conversation_id', '=', conversationId);
const firstPage = compiled(2, (db, conversationId: string, limit: number) =>
  selectPage(db, conversationId).orderBy('id').limit(limit),
);
const nextPage = compiled(3, (db, conversationId: string, after: string, limit: number) =>
  selectPage(db, conversationId).where('id', '>', after).orderBy('id').limit(limit),
);
const newestPage = compiled(2, (db, conversationId: string, limit: number) =>
  selectPage(db, conversationId).orderBy('id', 'desc').limit(limit),
);
const olderPage = compiled(3, (db, conversationId: string, before: string, limit: number) =>
  selectPage(db, conversationId).where('id', '<', before).orderBy('id', 'desc').limit(limit),
);

export function postMessage(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  input: { conversationId: string; authorId: string; content: string },
): Promise<MessageView> {
  return postAuthoredMessage(tx, keyring, {
    conversationId: input.conversationId,
    author: { author_type: 'user', author_id: input.authorId },
    content: input.content,
  });
}

/**
 * A message by any author: a member (`user`), or an agent (`agent`, its
 * agent id) for an agent run's reply. Sealed and bound to that author.
 */
export async function postAuthoredMessage(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  input: {
    conversationId: string;
    author: { author_type: 'user' | 'agent'; author_id: string };
    content: string;
  },
): Promise<MessageView> {
  // No existence check first: the composite foreign key (tenant_id,
  // conversation_id) refuses an unknown or other-workspace conversation, and
  // that error maps to not_found (saves a round trip per message).
  const id = uuidv7();
  const author = input.author;
  const ref = contentRef(id, input.conversationId, author);
  const sealed = await keyring.seal(tx, ref, Buffer.from(input.content, 'utf8'));
  const [row] = await insertMessage(
    tx,
    principalOf(tx).tenantId,
    id,
    input.conversationId,
    author.author_type,
    author.author_id,
    sealed,
  );
  if (row === undefined) throw new Error('insert returned no row');
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    author_type: row.author_type,
    author_id: row.author_id,
    content: input.content,
    created_at: row.created_at.toISOString(),
  };
}

export async function listMessages(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  input: {
    conversationId: string;
    limit: number;
    cursor?: string | undefined;
    order?: MessageOrder | undefined;
  },
): Promise<{ items: MessageView[]; next_cursor: string | null }> {
  const after = decodeCursor(input.cursor);
  // newest_first pages back in time: the cursor is the oldest id shown so far.
  const backwards = input.order === 'newest_first';
  const [first, next] = backwards ? [newestPage, olderPage] : [firstPage, nextPage];
  // One row more than the page: whether another page follows.
  const rows =
    after === undefined
      ? await first(tx, input.conversationId, input.limit + 1)
      : await next(tx, input.conversationId, after, input.limit + 1);
  // Only an empty page needs to tell "no messages" from "no such conversation".
  if (rows.length === 0) await assertConversationExists(tx, input.conversationId);
  // One key lookup for the page, then every envelope opens synchronously. The row
  // fetched only to tell whether another page follows is not opened.
  const { next_cursor } = toPage(rows, input.limit);
  const shown = rows.slice(0, input.limit);
  const opened = await keyring.openMany(
    tx,
    shown.map((r) => ({ ref: contentRef(r.id, r.conversation_id, r), envelope: r.content })),
  );
  const items = shown.map((r, i): MessageView => ({
    id: r.id,
    conversation_id: r.conversation_id,
    author_type: r.author_type,
    author_id: r.author_id,
    content: (opened[i] ?? Buffer.alloc(0)).toString('utf8'),
    created_at: r.created_at.toISOString(),
  }));
  return { items, next_cursor };
}

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
import { v7 as uuidv7 } from 'uuid';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import { decodeCursor, toPage } from '../../db/cursor.js';
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

type Author = Pick<MessageView, 'author_type' | 'author_id'>;

const contentRef = (id: string, conversationId: string, author: Author) => ({
  table: 'messages',
  column: 'content',
  rowId: id,
  bound: [
    conversationId.toLowerCase(),
    author.author_type,
    author.author_id?.toLowerCase() ?? null,
  ],
});

export async function postMessage(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  input: { conversationId: string; authorId: string; content: string },
): Promise<MessageView> {
  // No existence check first: the composite foreign key (tenant_id,
  // conversation_id) refuses an unknown or other-workspace conversation, and
  // that error maps to not_found (saves a round trip per message).
  const id = uuidv7();
  const author = { author_type: 'user', author_id: input.authorId } as const;
  const ref = contentRef(id, input.conversationId, author);
  const sealed = await keyring.seal(tx, ref, Buffer.from(input.content, 'utf8'));
  const row = await tx
    .insertInto('messages')
    .values({
      tenant_id: principalOf(tx).tenantId,
      id,
      conversation_id: input.conversationId,
      ...author,
      content: sealed,
    })
    .returning(['id', 'conversation_id', 'author_type', 'author_id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { ...row, content: input.content, created_at: row.created_at.toISOString() };
}

export async function listMessages(
  tx: TenantTx,
  keyring: Pick<Keyring, 'openMany'>,
  input: { conversationId: string; limit: number; cursor?: string | undefined },
): Promise<{ items: MessageView[]; next_cursor: string | null }> {
  const after = decodeCursor(input.cursor);
  let query = tx
    .selectFrom('messages')
    .select(['id', 'conversation_id', 'author_type', 'author_id', 'content', 'created_at'])
    .where('conversation_id', '=', input.conversationId);
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = await query
    .orderBy('id')
    .limit(input.limit + 1)
    .execute();
  // Only an empty page needs to tell "no messages" from "no such conversation".
  if (rows.length === 0) await assertConversationExists(tx, input.conversationId);
  // One key lookup for the page, then every envelope opens synchronously.
  const opened = await keyring.openMany(
    tx,
    rows.map((r) => ({ ref: contentRef(r.id, r.conversation_id, r), envelope: r.content })),
  );
  const items = rows.map((r, i): MessageView => ({
    id: r.id,
    conversation_id: r.conversation_id,
    author_type: r.author_type,
    author_id: r.author_id,
    content: (opened[i] ?? Buffer.alloc(0)).toString('utf8'),
    created_at: r.created_at.toISOString(),
  }));
  return toPage(items, input.limit);
}

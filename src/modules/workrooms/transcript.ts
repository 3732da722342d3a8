/**
 * A workroom's transcript: its name, its conversations oldest first, and
 * each conversation's messages oldest first, opened, with each author's
 * display name. Read through the same list functions the routes use (RLS,
 * the same sealing bindings), a page at a time.
 *
 * Bounded: the document is built in memory (the `docx` package zips it
 * whole), so a workroom above MAX_TRANSCRIPT_MESSAGES messages, above
 * MAX_TRANSCRIPT_CONVERSATIONS conversations, or whose sealed content
 * passes MAX_TRANSCRIPT_BYTES is refused with `export_too_large` before
 * anything is opened. The workspace export (privacy) streams any size.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../db/tenant-tx.js';
import { AppError } from '../../base/errors.js';
import type { Keyring } from '../keys/index.js';
import { openDisplayName } from '../tenancy/index.js';
import { listMessages, type MessageView } from './messages.js';
import {
  getWorkroom,
  listConversations,
  type ConversationView,
  type WorkroomView,
} from './workrooms.js';

export const MAX_TRANSCRIPT_MESSAGES = 10_000;
export const MAX_TRANSCRIPT_CONVERSATIONS = 1_000;
/** Sealed bytes of all messages together (envelopes are the content plus about 60 bytes). */
export const MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024;
const PAGE = 200;

export interface TranscriptMessage extends MessageView {
  /** The member's display name, `Agent`, `System`, or `Former member`. */
  readonly author_name: string;
}

export interface Transcript {
  readonly workroom: WorkroomView;
  readonly conversations: readonly {
    readonly conversation: ConversationView;
    readonly messages: readonly TranscriptMessage[];
  }[];
  readonly messageCount: number;
}

type Opener = Pick<Keyring, 'open' | 'openMany'>;

/** Refuses a workroom too large for an in-memory document. */
async function checkSize(tx: TenantTx, workroomId: string): Promise<void> {
  const { rows } = await sql<{ conversations: number; messages: number; bytes: string }>`
    select (select count(*)::int from wardroom.conversations where workroom_id = ${workroomId}) as conversations,
           count(m.id)::int as messages,
           coalesce(sum(octet_length(m.content)), 0)::bigint as bytes
      from wardroom.conversations c
      join wardroom.messages m on m.tenant_id = c.tenant_id and m.conversation_id = c.id
     where c.workroom_id = ${workroomId}`.execute(tx);
  const size = rows[0] ?? { conversations: 0, messages: 0, bytes: '0' };
  if (
    size.messages > MAX_TRANSCRIPT_MESSAGES ||
    size.conversations > MAX_TRANSCRIPT_CONVERSATIONS ||
    Number(size.bytes) > MAX_TRANSCRIPT_BYTES
  ) {
    throw new AppError(
      'export_too_large',
      `This workroom is too large to export as .docx (${size.messages} messages in ` +
        `${size.conversations} conversations; the limit is ${MAX_TRANSCRIPT_MESSAGES} messages, ` +
        `${MAX_TRANSCRIPT_CONVERSATIONS} conversations and ${MAX_TRANSCRIPT_BYTES / 1024 / 1024} MB ` +
        'of content). The workspace export (privacy) has no limit.',
    );
  }
}

async function allPages<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const { items, next_cursor } = await page(cursor);
    out.push(...items);
    if (next_cursor === null) return out;
    cursor = next_cursor;
  }
}

/** Display names of the members among `userIds`, opened. */
async function memberNames(
  tx: TenantTx,
  keyring: Opener,
  userIds: readonly string[],
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  if (userIds.length === 0) return names;
  const rows = await tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'm.display_name', 'm.display_name_sealed', 'u.email'])
    .where('m.user_id', 'in', userIds)
    .execute();
  for (const r of rows) {
    const name = await openDisplayName(tx, keyring, r);
    names.set(r.user_id.toLowerCase(), name === '' ? r.email : name);
  }
  return names;
}

function authorName(m: MessageView, names: ReadonlyMap<string, string>): string {
  if (m.author_type === 'agent') return 'Agent';
  if (m.author_type === 'system') return 'System';
  return names.get(m.author_id?.toLowerCase() ?? '') ?? 'Former member';
}

export async function readTranscript(
  tx: TenantTx,
  keyring: Opener,
  workroomId: string,
): Promise<Transcript> {
  const workroom = await getWorkroom(tx, keyring, workroomId);
  await checkSize(tx, workroom.id);
  const conversations = await allPages((cursor) =>
    listConversations(tx, keyring, { workroomId: workroom.id, limit: PAGE, cursor }),
  );
  const threads: { conversation: ConversationView; messages: MessageView[] }[] = [];
  for (const conversation of conversations) {
    const messages = await allPages((cursor) =>
      listMessages(tx, keyring, { conversationId: conversation.id, limit: PAGE, cursor }),
    );
    threads.push({ conversation, messages });
  }
  const authors = new Set(
    threads.flatMap((t) =>
      t.messages.flatMap((m) =>
        m.author_type === 'user' && m.author_id !== null ? [m.author_id] : [],
      ),
    ),
  );
  const names = await memberNames(tx, keyring, [...authors]);
  return {
    workroom,
    conversations: threads.map((t) => ({
      conversation: t.conversation,
      messages: t.messages.map((m) => ({ ...m, author_name: authorName(m, names) })),
    })),
    messageCount: threads.reduce((n, t) => n + t.messages.length, 0),
  };
}

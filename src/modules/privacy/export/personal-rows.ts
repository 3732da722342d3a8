/**
 * The rows of a personal export: what one member wrote in the workspace and
 * what the workspace records about them, always readable (opened with the
 * workspace's data key). Every query is filtered on the member's id inside
 * the caller's tenant transaction (RLS scopes it to the workspace), and read
 * by keyset pages like rows.ts, so memory stays constant.
 *
 * - profile: the account's email and the membership (role, named
 *   roles, the display name in this workspace, opened);
 * - messages they authored, opened; other people's messages are never read;
 * - conversations they took part in (created or wrote in): ids and titles;
 * - their API tokens' metadata (never the secret's hash);
 * - the audit events where they are the actor (signed in, or by their tokens);
 * - privacy requests about them (subject_user_id), without the sealed fields
 *   someone else typed about them.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { auditRecordSelect, openAuditRecords, type AuditRecord } from '../../audit/index.js';
import type { Keyring } from '../../keys/index.js';
import { openDisplayName, type SealedRef } from '../../tenancy/index.js';
import { contentRef, titleRef } from '../../workrooms/index.js';
import { EXPORT_PAGE } from './rows.js';

export interface PersonalSource {
  readonly tx: TenantTx;
  readonly keyring: Pick<Keyring, 'openMany'>;
  readonly userId: string;
  readonly pageSize?: number;
}

type Json = Record<string, unknown>;
const ZERO = '00000000-0000-0000-0000-000000000000';

/** Keyset pages of `page(after)`, each row yielded through `map`, until a short page. */
async function* pages<R, K>(
  size: number,
  first: K,
  page: (after: K) => Promise<R[]>,
  keyOf: (row: R) => K,
  map: (rows: R[]) => Promise<Json[]> | Json[],
): AsyncGenerator<Json> {
  let after = first;
  for (;;) {
    const rows = await page(after);
    yield* await map(rows);
    const last = rows.at(-1);
    if (last === undefined || rows.length < size) return;
    after = keyOf(last);
  }
}

/** The display name's one envelope, opened through openMany. */
const opener = (src: PersonalSource) => ({
  open: async (tx: TenantTx, ref: SealedRef, envelope: Uint8Array): Promise<Buffer> =>
    (await src.keyring.openMany(tx, [{ ref, envelope: Buffer.from(envelope) }]))[0] ??
    Buffer.alloc(0),
});

export async function profileRow(src: PersonalSource): Promise<Json> {
  const row = await src.tx
    .selectFrom('memberships as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select([
      'm.user_id',
      'u.email',
      'm.role',
      'm.named_roles',
      'm.display_name',
      'm.display_name_sealed',
      'm.created_at',
    ])
    .where('m.user_id', '=', src.userId)
    .executeTakeFirstOrThrow();
  return {
    user_id: row.user_id,
    email: row.email,
    display_name: await openDisplayName(src.tx, opener(src), row),
    role: row.role,
    named_roles: row.named_roles,
    member_since: row.created_at.toISOString(),
  };
}

export function myMessageRows(src: PersonalSource): AsyncGenerator<Json> {
  const size = src.pageSize ?? EXPORT_PAGE;
  return pages(
    size,
    ZERO,
    (after) =>
      src.tx
        .selectFrom('messages')
        .select(['id', 'conversation_id', 'author_type', 'author_id', 'content', 'created_at'])
        .where('author_type', '=', 'user')
        .where('author_id', '=', src.userId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(size)
        .execute(),
    (r) => r.id,
    async (rows) => {
      const plain = await src.keyring.openMany(
        src.tx,
        rows.map((r) => ({ ref: contentRef(r.id, r.conversation_id, r), envelope: r.content })),
      );
      return rows.map((r, i) => ({
        id: r.id,
        conversation_id: r.conversation_id,
        content: plain[i]?.toString('utf8') ?? null,
        created_at: r.created_at.toISOString(),
      }));
    },
  );
}

export function myConversationRows(src: PersonalSource): AsyncGenerator<Json> {
  const size = src.pageSize ?? EXPORT_PAGE;
  return pages(
    size,
    ZERO,
    (after) =>
      src.tx
        .selectFrom('conversations as c')
        .select(['c.id', 'c.workroom_id', 'c.title', 'c.title_sealed', 'c.created_by'])
        .select('c.created_at')
        .where('c.id', '>', after)
        .where((eb) =>
          eb.or([
            eb('c.created_by', '=', src.userId),
            eb.exists(
              eb
                .selectFrom('messages as m')
                .select(sql<number>`1`.as('one'))
                .whereRef('m.conversation_id', '=', 'c.id')
                .where('m.author_type', '=', 'user')
                .where('m.author_id', '=', src.userId),
            ),
          ]),
        )
        .orderBy('c.id')
        .limit(size)
        .execute(),
    (r) => r.id,
    async (rows) => {
      const sealed = rows.filter((r) => r.title_sealed !== null);
      const titles = await src.keyring.openMany(
        src.tx,
        sealed.map((r) => ({
          ref: titleRef(r.id, r.workroom_id),
          envelope: r.title_sealed ?? Buffer.alloc(0),
        })),
      );
      const byId = new Map(sealed.map((r, i) => [r.id, titles[i]?.toString('utf8') ?? null]));
      return rows.map((r) => ({
        id: r.id,
        workroom_id: r.workroom_id,
        title: r.title_sealed === null ? r.title : (byId.get(r.id) ?? null),
        created_by_me: r.created_by === src.userId,
        created_at: r.created_at.toISOString(),
      }));
    },
  );
}

export function myTokenRows(src: PersonalSource): AsyncGenerator<Json> {
  const size = src.pageSize ?? EXPORT_PAGE;
  return pages(
    size,
    ZERO,
    (after) =>
      src.tx
        .selectFrom('api_tokens')
        .select(['id', 'name', 'last_four', 'created_at', 'expires_at', 'revoked_at'])
        .where('user_id', '=', src.userId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(size)
        .execute(),
    (r) => r.id,
    (rows) =>
      rows.map((r) => ({
        id: r.id,
        name: r.name,
        last_four: r.last_four,
        created_at: r.created_at.toISOString(),
        expires_at: r.expires_at?.toISOString() ?? null,
        revoked_at: r.revoked_at?.toISOString() ?? null,
      })),
  );
}

/**
 * The audit events whose actor is the member, signed in or through one of
 * their API tokens, oldest first, with their sealed personal fields opened.
 */
export async function* myAuditRows(src: PersonalSource): AsyncGenerator<AuditRecord> {
  const size = src.pageSize ?? EXPORT_PAGE;
  let after = '0';
  for (;;) {
    const rows = await src.tx
      .selectFrom('audit_log as a')
      .select(['a.id', auditRecordSelect().as('record')])
      .where((eb) =>
        eb.or([
          eb.and([eb('a.actor_type', '=', 'user'), eb('a.actor_id', '=', src.userId)]),
          eb.and([
            eb('a.actor_type', '=', 'api_token'),
            eb(
              'a.actor_id',
              'in',
              eb
                .selectFrom('api_tokens as t')
                .select(sql<string>`t.id::text`.as('id'))
                .where('t.user_id', '=', src.userId),
            ),
          ]),
        ]),
      )
      .where('a.id', '>', after)
      .orderBy('a.id')
      .limit(size)
      .execute();
    // Always readable: their own name, addresses and browsers, opened under their key.
    yield* await openAuditRecords(
      src.tx,
      rows.map((r) => r.record),
    );
    const last = rows.at(-1);
    if (last === undefined || rows.length < size) return;
    after = last.id;
  }
}

export function myPrivacyRequestRows(src: PersonalSource): AsyncGenerator<Json> {
  const size = src.pageSize ?? EXPORT_PAGE;
  return pages(
    size,
    ZERO,
    (after) =>
      src.tx
        .selectFrom('privacy_requests')
        .select(['id', 'type', 'state', 'law', 'received_at', 'closed_at'])
        .select(sql<string>`coalesce(extended_due_on, due_on)::text`.as('due_on'))
        .where('subject_user_id', '=', src.userId)
        .where('id', '>', after)
        .orderBy('id')
        .limit(size)
        .execute(),
    (r) => r.id,
    (rows) =>
      rows.map((r) => ({
        id: r.id,
        type: r.type,
        state: r.state,
        law: r.law,
        received_at: r.received_at.toISOString(),
        due_on: r.due_on,
        closed_at: r.closed_at?.toISOString() ?? null,
      })),
  );
}

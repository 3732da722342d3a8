/**
 * The rows of a workspace export, read a page at a time by keyset (`id >
 * last`, `seq > last`) inside the caller's tenant transaction, so memory
 * stays constant whatever the workspace holds and RLS scopes every read to
 * the caller's workspace. Keyset pages rather than a server-side cursor:
 * the readable form opens envelopes through the keyring between pages, and
 * a cursor would hold the connection against those queries.
 *
 * Each generator yields plain JSON objects. In the `snapshot` form sealed
 * fields are written as stored (base64 envelopes); in the `readable` form
 * they are opened with the workspace's data key.
 */
import { sql } from 'kysely';
import type { TenantTx } from '../../../db/tenant-tx.js';
import { auditRecordSelect, openAuditRecords, type AuditRecord } from '../../audit/index.js';
import type { Keyring } from '../../keys/index.js';
import { contentRef, nameRef, titleRef } from '../../workrooms/index.js';

export const EXPORT_FORMS = ['snapshot', 'readable'] as const;
export type ExportForm = (typeof EXPORT_FORMS)[number];

/** Rows read per page. */
export const EXPORT_PAGE = 500;

export interface RowSource {
  readonly tx: TenantTx;
  readonly keyring: Pick<Keyring, 'openMany'>;
  readonly form: ExportForm;
  readonly pageSize?: number;
}

type Json = Record<string, unknown>;

const b64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));

/** Opens `envelopes` (the readable form) or leaves them as base64 (the snapshot). */
async function opened(
  src: RowSource,
  fields: readonly { ref: Parameters<Keyring['openMany']>[1][number]['ref']; envelope: Buffer }[],
): Promise<(string | null)[]> {
  if (src.form === 'snapshot') return fields.map((f) => b64(f.envelope));
  const plain = await src.keyring.openMany(src.tx, fields);
  return plain.map((p) => p.toString('utf8'));
}

export async function workspaceRow(tx: TenantTx): Promise<Json> {
  const ws = await tx
    .selectFrom('workspaces')
    .select(['tenant_id', 'name', 'region', 'plan', 'created_at'])
    .executeTakeFirstOrThrow();
  return {
    id: ws.tenant_id,
    name: ws.name,
    region: ws.region,
    plan: ws.plan,
    created_at: ws.created_at.toISOString(),
  };
}

/** Members with their email and role (profile names are not included). */
export async function* memberRows(src: RowSource): AsyncGenerator<Json> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await src.tx
      .selectFrom('memberships as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.email', 'm.role', 'm.named_roles', 'm.created_at'])
      .where('m.user_id', '>', after)
      .orderBy('m.user_id')
      .limit(src.pageSize ?? EXPORT_PAGE)
      .execute();
    for (const r of rows) {
      yield {
        user_id: r.user_id,
        email: r.email,
        role: r.role,
        named_roles: r.named_roles,
        created_at: r.created_at.toISOString(),
      };
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < (src.pageSize ?? EXPORT_PAGE)) return;
    after = last.user_id;
  }
}

export async function* workroomRows(src: RowSource): AsyncGenerator<Json> {
  let after = '00000000-0000-0000-0000-000000000000';
  const size = src.pageSize ?? EXPORT_PAGE;
  for (;;) {
    const rows = await src.tx
      .selectFrom('workrooms')
      .select(['id', 'name', 'name_sealed', 'created_by', 'created_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(size)
      .execute();
    const sealed = rows.filter((r) => r.name_sealed !== null);
    const names = await opened(
      src,
      sealed.map((r) => ({ ref: nameRef(r.id), envelope: r.name_sealed ?? Buffer.alloc(0) })),
    );
    const byId = new Map(sealed.map((r, i) => [r.id, names[i] ?? null]));
    for (const r of rows) {
      const name = r.name_sealed === null ? r.name : (byId.get(r.id) ?? null);
      yield {
        id: r.id,
        [src.form === 'snapshot' && r.name_sealed !== null ? 'name_sealed' : 'name']: name,
        created_by: r.created_by,
        created_at: r.created_at.toISOString(),
      };
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < size) return;
    after = last.id;
  }
}

export async function* conversationRows(src: RowSource): AsyncGenerator<Json> {
  let after = '00000000-0000-0000-0000-000000000000';
  const size = src.pageSize ?? EXPORT_PAGE;
  for (;;) {
    const rows = await src.tx
      .selectFrom('conversations')
      .select(['id', 'workroom_id', 'title', 'title_sealed', 'created_by', 'created_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(size)
      .execute();
    const sealed = rows.filter((r) => r.title_sealed !== null);
    const titles = await opened(
      src,
      sealed.map((r) => ({
        ref: titleRef(r.id, r.workroom_id),
        envelope: r.title_sealed ?? Buffer.alloc(0),
      })),
    );
    const byId = new Map(sealed.map((r, i) => [r.id, titles[i] ?? null]));
    for (const r of rows) {
      const title = r.title_sealed === null ? r.title : (byId.get(r.id) ?? null);
      yield {
        id: r.id,
        workroom_id: r.workroom_id,
        [src.form === 'snapshot' && r.title_sealed !== null ? 'title_sealed' : 'title']: title,
        created_by: r.created_by,
        created_at: r.created_at.toISOString(),
      };
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < size) return;
    after = last.id;
  }
}

/**
 * Keyset pages, the next page's query sent before the current page is
 * handed on: PostgreSQL reads page n+1 while Node opens and writes page n
 * (one connection, so the queries still run one after the other there).
 * A consumer that stops early leaves at most one query in flight, whose
 * failure (the transaction ending) is ignored.
 */
async function* prefetched<R>(
  fetch: (after: string, size: number) => Promise<R[]>,
  keyOf: (row: R) => string,
  first: { after: string; size: number },
): AsyncGenerator<R[]> {
  const current = first.size;
  let next = fetch(first.after, current);
  for (;;) {
    const rows = await next;
    const last = rows.at(-1);
    const more = last !== undefined && rows.length >= current;
    if (more) {
      next = fetch(keyOf(last), current);
      next.catch(() => undefined);
    }
    yield rows;
    if (!more) return;
  }
}

export async function* messageRows(src: RowSource): AsyncGenerator<Json> {
  const fetch = (after: string, size: number) =>
    src.tx
      .selectFrom('messages')
      .select(['id', 'conversation_id', 'author_type', 'author_id', 'content', 'created_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(size)
      .execute();
  const first = {
    after: '00000000-0000-0000-0000-000000000000',
    size: src.pageSize ?? EXPORT_PAGE,
  };
  for await (const rows of prefetched(fetch, (r) => r.id, first)) {
    const contents = await opened(
      src,
      rows.map((r) => ({ ref: contentRef(r.id, r.conversation_id, r), envelope: r.content })),
    );
    for (const [i, r] of rows.entries()) {
      yield {
        id: r.id,
        conversation_id: r.conversation_id,
        author_type: r.author_type,
        author_id: r.author_id,
        [src.form === 'snapshot' ? 'content_sealed' : 'content']: contents[i] ?? null,
        created_at: r.created_at.toISOString(),
      };
    }
  }
}

/**
 * Every audit event of the workspace the transaction sees, in id (commit
 * order of insertion) order: chained events carry their seq and hashes,
 * events the chainer has not reached yet carry nulls there.
 */
/**
 * Audit targets held per page. An event written by one statement over many
 * rows lists up to 1,000 targets (migration 007), so pages of audit events
 * are cut by their targets, not their count: up to 500 one-target events a
 * page, as few as 20 bulk events, so a page stays a few MB. The cut is
 * found first from the events' target counts alone (a cheap read of the
 * next 500 ids), then the page up to it is read whole.
 */
export const AUDIT_PAGE_TARGETS = 20_000;

/** The last id of the next audit page after `after`, or undefined at the end. */
async function auditPageEnd(
  tx: TenantTx,
  after: string,
  max: number,
): Promise<{ upTo: string; last: boolean } | undefined> {
  const sizes = await tx
    .selectFrom('audit_log')
    .select(['id', sql<number>`greatest(1, jsonb_array_length(targets))`.as('n')])
    .where('id', '>', after)
    .orderBy('id')
    .limit(max)
    .execute();
  const first = sizes[0];
  if (first === undefined) return undefined;
  let upTo = first.id;
  let targets = first.n;
  for (const s of sizes.slice(1)) {
    targets += s.n;
    if (targets > AUDIT_PAGE_TARGETS) return { upTo, last: false };
    upTo = s.id;
  }
  return { upTo, last: sizes.length < max };
}

export async function* auditRows(src: RowSource): AsyncGenerator<AuditRecord> {
  const max = src.pageSize ?? EXPORT_PAGE;
  let after = '0';
  for (;;) {
    const end = await auditPageEnd(src.tx, after, max);
    if (end === undefined) return;
    const rows = await src.tx
      .selectFrom('audit_log as a')
      .select(['a.id', auditRecordSelect().as('record')])
      .where('a.id', '>', after)
      .where('a.id', '<=', end.upTo)
      .orderBy('a.id')
      .execute();
    const records = rows.map((r) => r.record);
    // The readable form adds each person's fields opened (or `[erased]`); the snapshot keeps them sealed.
    if (src.form === 'snapshot') yield* records;
    else yield* await openAuditRecords(src.tx, records);
    if (end.last) return;
    after = end.upTo;
  }
}

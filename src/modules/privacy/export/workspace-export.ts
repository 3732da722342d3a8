/**
 * A workspace export (owners): the workspace, its members, workrooms,
 * conversations, messages and audit log, streamed into a zip of JSON and
 * JSON Lines, stored sealed through the storage module under
 * `tenants/<ws>/exports/…`, and a 7-day signed link returned and emailed to
 * the owner who asked. Two forms: `snapshot` keeps sealed fields as stored
 * (base64 envelopes, as the AtelyaOS document describes its export) and
 * `readable` opens them with the workspace's data key.
 *
 * The rows are read in the request's tenant transaction (one snapshot of
 * the workspace, RLS-scoped) while the zip streams into the store; the
 * transaction holds nothing but the page being written.
 */
import { v7 as uuidv7 } from 'uuid';
import { principalOf, type TenantTx } from '../../../db/tenant-tx.js';
import type { Principal } from '../../../db/principal.js';
import { recordEvent } from '../../audit/index.js';
import type { Keyring } from '../../keys/index.js';
import { objectKey, type ObjectKey, type Storage } from '../../storage/index.js';
import type { ExportScope } from './export-store.js';
import { personalEntries } from './personal-export.js';
import {
  auditRows,
  conversationRows,
  memberRows,
  messageRows,
  workroomRows,
  workspaceRow,
  type ExportForm,
  type RowSource,
} from './rows.js';
import { zipStream, type EntryCounts, type ZipEntry } from './zip.js';

/** How long the emailed and returned link works: the documented 7 days (the storage maximum). */
export const EXPORT_LINK_SECONDS = 7 * 24 * 60 * 60;

/** Mail's `exportMailer`, as a port: privacy does not import mail. */
export interface ExportMailer {
  sendExportReady(
    principal: Principal,
    message: {
      to: string;
      workspaceName: string;
      form: ExportForm;
      url: string;
      expiresAt: Date;
    },
  ): Promise<{ sent: boolean; error_code: string | null }>;
}

export interface ExportDeps {
  readonly keyring: Pick<Keyring, 'openMany'>;
  readonly storage: Pick<Storage, 'write' | 'downloadLink'>;
  readonly mailer?: ExportMailer | undefined;
  /** Rows per page (tests make it small to cross pages). */
  readonly pageSize?: number;
}

export interface ExportResult {
  readonly id: string;
  readonly form: ExportForm;
  readonly state: 'completed';
  readonly file_name: string;
  readonly size: number;
  readonly counts: EntryCounts;
  readonly download_url: string;
  readonly expires_at: string;
  readonly email: { readonly sent: boolean; readonly error_code: string | null };
}

export const EXPORT_FILES = {
  workspace: 'workspace.json',
  members: 'members.jsonl',
  workrooms: 'workrooms.jsonl',
  conversations: 'conversations.jsonl',
  messages: 'messages.jsonl',
  audit: 'audit.jsonl',
  manifest: 'manifest.json',
} as const;

function entries(src: RowSource, id: string, counts: EntryCounts): ZipEntry[] {
  const f = EXPORT_FILES;
  return [
    { name: f.workspace, kind: 'json', value: () => workspaceRow(src.tx) },
    { name: f.members, kind: 'jsonl', rows: () => memberRows(src) },
    { name: f.workrooms, kind: 'jsonl', rows: () => workroomRows(src) },
    { name: f.conversations, kind: 'jsonl', rows: () => conversationRows(src) },
    { name: f.messages, kind: 'jsonl', rows: () => messageRows(src) },
    { name: f.audit, kind: 'jsonl', rows: () => auditRows(src) },
    {
      // Last, so the counts of every collection are known.
      name: f.manifest,
      kind: 'json',
      value: () =>
        Promise.resolve({
          export_id: id,
          workspace_id: principalOf(src.tx).tenantId,
          form: src.form,
          sealed_fields:
            src.form === 'snapshot'
              ? 'base64 envelopes as stored, sealed with the workspace data key'
              : 'opened',
          counts: { ...counts },
        }),
    },
  ];
}

/** What an export is: its id, whose data, which form; who asked. */
export interface ExportSpec {
  readonly id: string;
  readonly scope: ExportScope;
  readonly form: ExportForm;
  readonly requesterId: string;
}

/** The stored object of a finished export. */
export interface StoredExport {
  readonly key: ObjectKey;
  readonly file_name: string;
  readonly size: number;
  readonly counts: EntryCounts;
}

/**
 * The object's name: from the export's ids only, so writing an export again
 * (a job retried after its worker died) replaces the same object.
 */
export function exportFileName(spec: Pick<ExportSpec, 'id' | 'scope' | 'form'>): string {
  return `${spec.scope}-export-${spec.id}-${spec.form}.zip`;
}

/**
 * Streams the export's zip from `tx` into the store, sealed, as the
 * principal of `tx`. `counts` (rows written per file) fills as the zip is
 * read, so a caller can report progress while this runs. Records only the
 * storage module's `object.stored`: the caller records the export's events.
 */
export async function writeExportObject(
  tx: TenantTx,
  deps: ExportDeps,
  spec: ExportSpec,
  counts: EntryCounts = {},
): Promise<StoredExport> {
  const principal = principalOf(tx);
  const fileName = exportFileName(spec);
  const key = objectKey(principal.tenantId, 'exports', fileName);
  const list =
    spec.scope === 'personal'
      ? personalEntries(
          {
            tx,
            keyring: deps.keyring,
            userId: spec.requesterId,
            ...(deps.pageSize === undefined ? {} : { pageSize: deps.pageSize }),
          },
          spec.id,
          counts,
        )
      : entries(
          {
            tx,
            keyring: deps.keyring,
            form: spec.form,
            ...(deps.pageSize === undefined ? {} : { pageSize: deps.pageSize }),
          },
          spec.id,
          counts,
        );
  const body = zipStream(list, counts);
  // The zip starts reading rows at once, before the store reads it (the store first seals the
  // object's key): an entry failing that early errors the stream while nothing listens, which
  // would be an uncaught exception. The store's read still fails with the error.
  body.on('error', () => undefined);
  const info = await deps.storage.write(principal, key, body);
  return { key, file_name: fileName, size: info.size, counts };
}

/**
 * Runs a workspace export inline, for the owner `requesterId`, in `tx`:
 * records `privacy.export.created` and `privacy.export.completed` (form,
 * size and counts: no personal data) and emails the link. The HTTP route
 * queues a job instead (job.ts); this stays the one-call export of a
 * tenant transaction (the benchmark and tests use it).
 */
export async function runWorkspaceExport(
  tx: TenantTx,
  deps: ExportDeps,
  input: { form: ExportForm; requesterId: string },
): Promise<ExportResult> {
  const id = uuidv7();
  const target = [{ type: 'privacy_export', id }];
  await recordEvent(tx, {
    action: 'privacy.export.created',
    targets: target,
    metadata: { form: input.form },
  });
  const spec = { id, scope: 'workspace', ...input } as const;
  const stored = await writeExportObject(tx, deps, spec);
  const link = deps.storage.downloadLink(stored.key, EXPORT_LINK_SECONDS);
  await recordEvent(tx, {
    action: 'privacy.export.completed',
    targets: [...target, { type: 'object', id: stored.key }],
    metadata: completedMetadata(input.form, stored),
  });
  const email = await emailLink(tx, deps.mailer, input, link);
  return {
    id,
    form: input.form,
    state: 'completed',
    file_name: stored.file_name,
    size: stored.size,
    counts: stored.counts,
    download_url: link.url,
    expires_at: link.expiresAt.toISOString(),
    email,
  };
}

/** The completed event's metadata: form, size, counts; no personal data. */
export function completedMetadata(
  form: ExportForm,
  stored: Pick<StoredExport, 'size' | 'counts'>,
): Record<string, string | number> {
  return { form, size: stored.size, ...prefixed(stored.counts) };
}

/** `rows_messages` and so on: counts only. */
function prefixed(counts: EntryCounts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).map(([name, n]) => [`rows_${name.replace(/\.jsonl$/, '')}`, n]),
  );
}

/** Emails the link to the requester (after the export is durable); never throws for mail. */
export async function emailLink(
  tx: TenantTx,
  mailer: ExportMailer | undefined,
  input: { form: ExportForm; requesterId: string },
  link: { url: string; expiresAt: Date },
): Promise<{ sent: boolean; error_code: string | null }> {
  if (mailer === undefined) return { sent: false, error_code: 'mail_unavailable' };
  const user = await tx
    .selectFrom('users')
    .select('email')
    .where('id', '=', input.requesterId)
    .executeTakeFirst();
  const ws = await tx.selectFrom('workspaces').select('name').executeTakeFirstOrThrow();
  if (user === undefined) return { sent: false, error_code: 'mail_unavailable' };
  return mailer.sendExportReady(principalOf(tx), {
    to: user.email,
    workspaceName: ws.name,
    form: input.form,
    url: link.url,
    expiresAt: link.expiresAt,
  });
}

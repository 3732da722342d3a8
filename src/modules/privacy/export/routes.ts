/**
 * The export routes. `POST …/privacy/exports` records an export (queued)
 * and, once that is committed, queues its job; it answers 202 with the
 * record. `scope: "workspace"` (owners) exports the whole workspace, as a
 * snapshot or readable, and may answer an access request; `scope:
 * "personal"` (any member) exports what the caller wrote and what is
 * recorded about them, readable. `GET …/privacy/exports` lists the caller's
 * exports (an owner also sees every workspace export) and `GET
 * …/privacy/exports/{id}` gives one, with a fresh signed download link once
 * completed. Someone else's personal export answers not_found, to owners
 * too.
 */
import { z } from 'zod';
import { AppError } from '../../../base/errors.js';
import { principalOf } from '../../../db/tenant-tx.js';
import { recordEvent } from '../../audit/index.js';
import type { Keyring } from '../../keys/index.js';
import type { Storage } from '../../storage/index.js';
import { authorize, defineRoute, type WorkspaceRoute } from '../../tenancy/index.js';
import { id, owner, ws } from '../schemas.js';
import type { PrivacyDeps } from '../requests.js';
import { EXPORT_FORMS } from './rows.js';
import { completesRequest } from './request-link.js';
import {
  EXPORT_SCOPES,
  insertExport,
  listExports,
  visibleExport,
  type Viewer,
} from './export-store.js';
import type { ExportScheduler } from './job.js';
import { exportView, viewOf } from './view.js';
import type { ExportMailer } from './workspace-export.js';

export interface ExportRouteDeps {
  readonly keyring: Keyring;
  /** The object storage; a server built without it answers config_invalid. */
  readonly storage?: Storage | undefined;
  /** Emails the link (used by the job; kept here for the server's wiring). */
  readonly exportMailer?: ExportMailer | undefined;
  /** Queues an export's job; a server built without it answers config_invalid. */
  readonly exportJobs?: ExportScheduler | undefined;
}

/** The export's and the linked request's dependencies (the request's clock). */
export type ExportRoutesDeps = ExportRouteDeps & Pick<PrivacyDeps, 'clock'>;

const any = { kind: 'role', role: 'viewer' } as const;
const url = '/api/v1/workspaces/:ws/privacy/exports';

const createBody = z
  .strictObject({
    scope: z
      .enum(EXPORT_SCOPES)
      .default('workspace')
      .describe(
        'workspace: everything (owners). personal: what the caller wrote and what is recorded about them (any member).',
      ),
    form: z
      .enum(EXPORT_FORMS)
      .optional()
      .describe(
        'workspace: snapshot (default, sealed fields as stored) or readable. personal: readable only.',
      ),
    request_id: z
      .uuid()
      .optional()
      .describe('An access request in progress: the workspace export completes it'),
  })
  .refine((b) => b.scope === 'workspace' || b.form !== 'snapshot', {
    message: 'a personal export is readable',
    path: ['form'],
  })
  .refine((b) => b.scope === 'workspace' || b.request_id === undefined, {
    message: 'only a workspace export answers an access request',
    path: ['request_id'],
  });

const viewerOf = (member: { userId: string; role: string }): Viewer => ({
  userId: member.userId,
  isOwner: member.role === 'owner',
});

export const exportRoutes = (deps: ExportRoutesDeps): WorkspaceRoute[] => [
  defineRoute({
    method: 'POST',
    url,
    summary:
      'Start an export: the workspace (owners; snapshot or readable) or your personal data (any member); it runs as a job, and its 7-day link is emailed when completed',
    tags: ['privacy'],
    access: any,
    params: z.strictObject({ ws }),
    body: createBody,
    status: 202,
    response: exportView,
    errors: ['config_invalid', 'forbidden', 'privacy_transition_invalid'],
    handler: async ({ tx, member }, { body }) => {
      if (deps.storage === undefined || deps.exportJobs === undefined) {
        throw new AppError('config_invalid', 'This server has no object storage or job queue');
      }
      if (body.scope === 'workspace') authorize(member, owner);
      await completesRequest(deps, body.request_id).check(tx);
      const row = await insertExport(tx, {
        scope: body.scope,
        form: body.scope === 'personal' ? 'readable' : (body.form ?? 'snapshot'),
        requestedBy: member.userId,
        requestId: body.request_id ?? null,
      });
      await recordEvent(tx, {
        action: 'privacy.export.created',
        targets: [{ type: 'privacy_export', id: row.id }],
        metadata: { scope: row.scope, form: row.form },
      });
      return { row, tenantId: principalOf(tx).tenantId };
    },
    afterCommit: async ({ row, tenantId }) => {
      await deps.exportJobs?.schedule(tenantId, row.id);
      return viewOf(deps, row);
    },
  }),
  defineRoute({
    method: 'GET',
    url,
    summary:
      'List exports, newest first: your own, and (owners) every workspace export; with state and progress',
    tags: ['privacy'],
    access: any,
    params: z.strictObject({ ws }),
    query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(50) }),
    status: 200,
    response: z.object({ items: z.array(exportView) }),
    errors: [],
    handler: async ({ tx, member }, { query }) => ({
      items: (await listExports(tx, viewerOf(member), query.limit)).map((r) => viewOf(deps, r)),
    }),
  }),
  defineRoute({
    method: 'GET',
    url: `${url}/:id`,
    summary: "An export's state and progress; once completed, a fresh signed download link",
    tags: ['privacy'],
    access: any,
    params: z.strictObject({ ws, id }),
    status: 200,
    response: exportView,
    errors: [],
    handler: async ({ tx, member }, { params }) =>
      viewOf(deps, await visibleExport(tx, viewerOf(member), params.id)),
  }),
];

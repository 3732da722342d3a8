/**
 * `POST /api/v1/workspaces/{ws}/privacy/exports` (owners): runs a workspace
 * export while the request waits and answers with its signed link (also
 * emailed to the owner). No table: the export's record is its two audit
 * events and the stored object.
 */
import { z } from 'zod';
import { AppError } from '../../../base/errors.js';
import type { Keyring } from '../../keys/index.js';
import type { Storage } from '../../storage/index.js';
import { defineRoute, type WorkspaceRoute } from '../../tenancy/index.js';
import { owner, ws } from '../schemas.js';
import type { PrivacyDeps } from '../requests.js';
import { EXPORT_FORMS } from './rows.js';
import { completesRequest } from './request-link.js';
import { runWorkspaceExport, type ExportMailer } from './workspace-export.js';

export interface ExportRouteDeps {
  readonly keyring: Keyring;
  /** The object storage; a server built without it answers config_invalid. */
  readonly storage?: Storage | undefined;
  /** Emails the link; without it the answer says `email.sent: false`. */
  readonly exportMailer?: ExportMailer | undefined;
}

/** The export's and the linked request's dependencies (the request's clock). */
export type ExportRoutesDeps = ExportRouteDeps & Pick<PrivacyDeps, 'clock'>;

const exportView = z.object({
  id: z.string(),
  form: z.enum(EXPORT_FORMS),
  state: z.literal('completed'),
  file_name: z.string(),
  size: z.number().int(),
  counts: z.record(z.string(), z.number().int()),
  download_url: z.string(),
  expires_at: z.string(),
  email: z.object({ sent: z.boolean(), error_code: z.string().nullable() }),
  request_id: z.string().nullable(),
});

export const exportRoutes = (deps: ExportRoutesDeps): WorkspaceRoute[] => [
  defineRoute({
    method: 'POST',
    url: '/api/v1/workspaces/:ws/privacy/exports',
    summary:
      'Export the workspace (owners) as a zip of JSON: snapshot (content sealed) or readable; answers and emails a 7-day signed link',
    tags: ['privacy'],
    access: owner,
    params: z.strictObject({ ws }),
    body: z.strictObject({
      form: z.enum(EXPORT_FORMS).default('snapshot'),
      request_id: z
        .uuid()
        .optional()
        .describe('An access request in progress: the export completes it'),
    }),
    status: 201,
    response: exportView,
    errors: ['config_invalid', 'storage_unavailable', 'privacy_transition_invalid'],
    handler: async ({ tx, member }, { body }) => {
      if (deps.storage === undefined) {
        throw new AppError('config_invalid', 'This server has no object storage');
      }
      const link = completesRequest(deps, body.request_id);
      await link.check(tx);
      const result = await runWorkspaceExport(
        tx,
        { keyring: deps.keyring, storage: deps.storage, mailer: deps.exportMailer },
        { form: body.form, requesterId: member.userId },
      );
      await link.complete(tx, result.id);
      return { ...result, request_id: body.request_id ?? null };
    },
  }),
];

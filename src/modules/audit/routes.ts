/**
 * HTTP routes of the audit module: the Activity log and its export. Both
 * are for admins and owners, and both are audited themselves, in the
 * request's transaction: `activity.read` per page listed, `activity.exported`
 * per export.
 */
import { z } from 'zod';
import { ACTOR_TYPES } from '../../db/principal.js';
import { principalOf } from '../../db/tenant-tx.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import { StreamedBody, streamed } from '../../http/streamed.js';
import { readActivity } from './activity.js';
import {
  EXPORT_CONTENT_TYPES,
  EXPORT_FORMATS,
  exportFilename,
  writeAuditExport,
  type ExportFormat,
  type ExportProgress,
} from './export.js';
import { recordEvent } from './record.js';

const ws = z.uuid();

const NAME = /^[a-z][a-z0-9_]*$/;

// An instant PostgreSQL accepts: an explicit offset (at most ±14:59, real
// zones stop at ±14) and a year from 0001.
const instant = z.iso
  .datetime({ offset: true })
  .refine((v) => !v.startsWith('0000') && /(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/.test(v), {
    message: 'Invalid ISO datetime',
  });

const activityQuery = z
  .strictObject({
    actor_type: z.enum(ACTOR_TYPES).optional(),
    actor_id: z.string().min(1).max(200).optional(),
    action: z
      .string()
      .max(100)
      .regex(
        /^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*(?:\.\*)?$/,
        'an action (workroom.created) or a prefix ending in .* (workroom.*)',
      )
      .optional(),
    target_type: z.string().max(100).regex(NAME, 'a target type such as workroom').optional(),
    target_id: z.string().min(1).max(200).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(200).optional(),
  })
  .refine((q) => q.target_id === undefined || q.target_type !== undefined, {
    message: 'target_id needs target_type',
    path: ['target_id'],
  });

const auditRecord = z.object({
  tenant_id: z.string(),
  seq: z.number().int(),
  occurred_at: z.string(),
  actor_type: z.string(),
  actor_id: z.string().nullable(),
  actor_name: z.string().nullable(),
  action: z.string(),
  // Loose on purpose: an event written by ops access may hold any JSON here,
  // and the list must show it as stored (clients can recompute its hash).
  targets: z.array(z.unknown()).readonly().describe('[{type, id}, ...]'),
  context: z.record(z.string(), z.unknown()).describe('{ip?, user_agent?}'),
  correlation_id: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  prev_hash: z.string(),
  hash: z.string(),
  personal: z
    .object({
      actor_name: z.string().optional(),
      ip: z.string().optional(),
      user_agent: z.string().optional(),
    })
    .describe(
      'The actor name, IP and user agent readable: opened from their per-person seal, "[erased]" once the person was erased, "[unreadable]" if a sealed value does not open where it is',
    ),
});

export const auditRoutes: WorkspaceRoute[] = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/activity',
    summary: 'List audit events, newest first, with filters (records an activity.read event)',
    tags: ['audit'],
    access: { kind: 'role', role: 'admin' },
    params: z.strictObject({ ws }),
    query: activityQuery,
    status: 200,
    response: z.object({ items: z.array(auditRecord), next_cursor: z.string().nullable() }),
    errors: ['invalid_cursor'],
    handler: ({ tx }, { query }) => readActivity(tx, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/activity/export',
    summary:
      'Download the audit log, oldest first, with its hash chain, up to the newest signed checkpoint, which is the final record (JSONL or CSV; records an activity.exported event)',
    tags: ['audit'],
    access: { kind: 'role', role: 'admin' },
    params: z.strictObject({ ws }),
    query: z.strictObject({ format: z.enum(EXPORT_FORMATS).default('jsonl') }),
    status: 200,
    response: streamed(EXPORT_CONTENT_TYPES.jsonl, EXPORT_CONTENT_TYPES.csv),
    errors: [],
    handler: ({ tx }, { query }) => {
      const format: ExportFormat = query.format;
      return Promise.resolve(
        new StreamedBody({
          contentType: EXPORT_CONTENT_TYPES[format],
          filename: exportFilename(principalOf(tx).tenantId, format, new Date()),
          write: async (sink) => {
            const progress: ExportProgress = { events: 0, lastSeq: 0 };
            let complete = true;
            try {
              await writeAuditExport(tx, format, sink, progress);
            } catch (error) {
              // The client went away: the (partial) download is still recorded.
              if (!isPrematureClose(error)) throw error;
              complete = false;
            }
            // Recorded after the rows, so it says how many events left and
            // whether the download completed.
            await recordEvent(tx, {
              action: 'activity.exported',
              metadata: {
                format,
                events: progress.events,
                last_seq: progress.lastSeq,
                head_seq: progress.headSeq ?? null,
                complete,
              },
            });
          },
        }),
      );
    },
  }),
];

function isPrematureClose(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * `GET /api/v1/workspaces/{ws}/workrooms/{id}/export.docx`: the workroom as
 * a Word document, for anyone who may read the workroom (viewer and up, as
 * its other reads). The document is built while the request's transaction
 * is open and before any byte is sent, so a missing workroom, one too
 * large (`export_too_large`) or a failed opening answers a plain error; the
 * `workroom.exported` event is recorded in that transaction, with counts
 * only (no name, no content).
 */
import { z } from 'zod';
import { StreamedBody, streamed } from '../../http/streamed.js';
import { recordEvent } from '../audit/index.js';
import type { Keyring } from '../keys/index.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import { readTranscript } from './transcript.js';
import { transcriptDocx, transcriptFileName } from './transcript-docx.js';

export const DOCX_CONTENT_TYPE =
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

export const exportRoutes = (deps: { readonly keyring: Keyring }): WorkspaceRoute[] => [
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/workrooms/:id/export.docx',
    summary:
      'Download a workroom as a Word document (.docx): its conversations and messages, opened (records workroom.exported)',
    tags: ['workrooms'],
    access: { kind: 'role', role: 'viewer' },
    params: z.strictObject({ ws: z.uuid(), id: z.uuid() }),
    status: 200,
    response: streamed(DOCX_CONTENT_TYPE),
    errors: ['export_too_large'],
    handler: async ({ tx }, { params }) => {
      const transcript = await readTranscript(tx, deps.keyring, params.id);
      const bytes = await transcriptDocx(transcript, new Date());
      await recordEvent(tx, {
        action: 'workroom.exported',
        targets: [{ type: 'workroom', id: transcript.workroom.id }],
        metadata: {
          format: 'docx',
          conversations: transcript.conversations.length,
          messages: transcript.messageCount,
          size: bytes.length,
        },
      });
      return new StreamedBody({
        contentType: DOCX_CONTENT_TYPE,
        filename: transcriptFileName(transcript.workroom.name, transcript.workroom.id),
        write: (sink) => {
          sink.end(bytes);
          return Promise.resolve();
        },
      });
    },
  }),
];

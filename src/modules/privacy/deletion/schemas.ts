/** The deletion routes' zod schemas. */
import { z } from 'zod';

export const deletionView = z.object({
  id: z.string(),
  user_id: z.string(),
  origin: z.enum(['account', 'request']),
  workspace_id: z.string().nullable(),
  request_id: z.string().nullable(),
  state: z.enum(['pending', 'cancelled', 'running', 'completed']),
  requested_at: z.string(),
  runs_after: z.string().describe('When the sweep may run it: requested_at + the cooling-off'),
  cancelled_at: z.string().nullable(),
  completed_at: z.string().nullable(),
  receipt: z
    .object({
      workspaces: z.number().int(),
      revoked_sessions: z.number().int(),
      revoked_tokens: z.number().int(),
    })
    .nullable(),
});

export const exportEvidence = z
  .object({
    exists: z.boolean(),
    latest_at: z.string().nullable(),
    workspace_id: z.string().nullable(),
  })
  .describe(
    'Whether an access export of the person exists (the pitfall: deleting before exporting)',
  );

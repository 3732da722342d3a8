/**
 * `GET` and `POST /api/v1/workspaces/{ws}/privacy/requests/{id}/deletion`
 * (owners): what confirming a deletion request will do (is the requester a
 * user here, has an access export been made, the cooling-off), and the
 * confirmation itself, typed as the requester's email, which moves the
 * request to in progress and schedules the deletion (request-deletion.ts).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { AppError } from '../../../base/errors.js';
import type { TenantTx } from '../../../db/tenant-tx.js';
import type { Keyring } from '../../keys/index.js';
import { defineRoute, type WorkspaceRoute } from '../../tenancy/index.js';
import { lockRequest, transitionRequest } from '../moves.js';
import type { PrivacyDeps } from '../requests.js';
import { base, id, owner, request, ws } from '../schemas.js';
import { checkTransition } from '../transitions.js';
import type { AccessExportLookup } from './export-guard.js';
import { requestSubject, scheduleForRequest } from './request-deletion.js';
import { latestDeletionIn } from './scheduled.js';
import { deletionView, exportEvidence } from './schemas.js';

export interface RequestDeletionDeps extends PrivacyDeps {
  readonly keyring: Keyring;
  readonly coolingOffDays: number;
  readonly receiptKey: Buffer;
  readonly exports: AccessExportLookup;
}

const NOT_A_USER =
  'No Wardroom account has this address in this workspace: nothing was scheduled and nothing ' +
  'was deleted. Delete the contact records with this address on the Contacts page (or the ' +
  'person can opt out at /privacy/optout), then complete the request.';

const subjectView = z.object({ is_user: z.boolean(), user_id: z.string().nullable() });

async function deletionRequest(tx: TenantTx, deps: RequestDeletionDeps, requestId: string) {
  const row = await lockRequest(tx, requestId);
  if (row.type !== 'deletion') {
    throw new AppError(
      'validation_failed',
      `This is a ${row.type} request, not a deletion request`,
    );
  }
  return { row, subject: await requestSubject(tx, deps.keyring, row) };
}

async function lastOwnerHere(tx: TenantTx, userId: string): Promise<boolean> {
  const { rows } = await sql<{ others: number; mine: number }>`
    SELECT count(*) FILTER (WHERE user_id <> ${userId}::uuid)::int AS others,
           count(*) FILTER (WHERE user_id = ${userId}::uuid)::int AS mine
      FROM memberships WHERE role = 'owner'`.execute(tx);
  return (rows[0]?.mine ?? 0) > 0 && (rows[0]?.others ?? 0) === 0;
}

/** The POST: checks, schedules (for a user), moves the request; nothing changes on a refusal. */
async function confirmDeletion(
  tx: TenantTx,
  deps: RequestDeletionDeps,
  requestId: string,
  confirm: string,
) {
  const { row, subject } = await deletionRequest(tx, deps, requestId);
  checkTransition(row.state, 'in_progress', undefined);
  const expected = subject.email;
  if (expected === null || confirm.trim().toLowerCase() !== expected.toLowerCase()) {
    throw new AppError('confirmation_mismatch', "Type the requester's email address");
  }
  const userId = subject.userId;
  if (userId !== null && (await lastOwnerHere(tx, userId))) {
    throw new AppError('last_owner', 'The requester is the last owner of this workspace');
  }
  const deletion =
    userId === null
      ? null
      : await scheduleForRequest(
          tx,
          { receiptKey: deps.receiptKey, coolingOffDays: deps.coolingOffDays, now: deps.clock() },
          row.id,
          { userId, email: expected },
        );
  const moved = await transitionRequest(
    tx,
    deps,
    row.id,
    { to: 'in_progress' },
    { confirmed: true },
  );
  return {
    request: moved,
    subject: { is_user: userId !== null, user_id: userId },
    deletion,
    note: userId === null ? NOT_A_USER : null,
  };
}

export const requestDeletionRoutes = (deps: RequestDeletionDeps): WorkspaceRoute[] => [
  defineRoute({
    method: 'GET',
    url: `${base}/:id/deletion`,
    summary:
      'What confirming a deletion request does: whether the requester has an account here, whether an access export of theirs exists, their scheduled deletion',
    tags: ['privacy'],
    access: owner,
    params: z.strictObject({ ws, id }),
    status: 200,
    response: z.object({
      subject: subjectView,
      access_export: exportEvidence,
      deletion: deletionView.nullable(),
      cooling_off_days: z.number().int(),
    }),
    errors: [],
    handler: async ({ tx }, { params }) => {
      const { subject } = await deletionRequest(tx, deps, params.id);
      const userId = subject.userId;
      const mine = userId === null ? null : await latestDeletionIn(tx, userId);
      return {
        subject: { is_user: userId !== null, user_id: userId },
        access_export:
          userId === null
            ? { exists: false, latest_at: null, workspace_id: null }
            : await deps.exports.inWorkspace(tx, userId),
        deletion: mine?.request_id === params.id ? mine : null,
        cooling_off_days: deps.coolingOffDays,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: `${base}/:id/deletion`,
    summary:
      "Confirm a verified deletion request by typing the requester's email: it goes in progress and, when the requester has an account here, their deletion is scheduled after the cooling-off period",
    tags: ['privacy'],
    access: owner,
    params: z.strictObject({ ws, id }),
    body: z.strictObject({ confirm: z.string().min(1).max(320) }),
    status: 200,
    response: z.object({
      request,
      subject: subjectView,
      deletion: deletionView.nullable(),
      note: z.string().nullable(),
    }),
    errors: [
      'confirmation_mismatch',
      'privacy_transition_invalid',
      'deletion_already_scheduled',
      'last_owner',
    ],
    handler: ({ tx }, { params, body }) => confirmDeletion(tx, deps, params.id, body.confirm),
  }),
];

/**
 * HTTP routes of the keys module: the key status and crypto-shredding a
 * workspace, both for owners (the status is what an owner reads before
 * deciding to shred or to ask the operator for a rotation; admins manage
 * credentials, not the keys under them).
 */
import { z } from 'zod';
import type { Principal } from '../../db/principal.js';
import { AppError } from '../../base/errors.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import type { Signer } from '../crypto/index.js';
import type { Keyring } from './keyring.js';
import { shredWorkspace } from './shred.js';
import { signedShredReceipt } from './shred-receipt.js';
import { keyStatusView, readKeyStatusView } from './status-view.js';

/**
 * Deletes the shredded workspace's stored objects once the shred has
 * committed, recording the count (the storage module's
 * `deleteShreddedObjects`; null without a store); a port, since storage builds on this module.
 */
export type DeleteShreddedObjects = (principal: Principal, via: 'route') => Promise<number | null>;

/** The shred's answer: the signed receipt, and how many stored objects were deleted. */
const shredAnswer = signedShredReceipt.extend({
  objects_deleted: z
    .number()
    .int()
    .nullable()
    .describe(
      'Stored objects (exports) of the workspace deleted after the shred. null: no object store is configured, or deleting failed (the objects stay unreadable; the failure is in the audit log). Not part of the signed receipt: pass only receipt, signature and public_key to `wardroom keys verify-receipt`.',
    ),
});

export function keyRoutes(deps: {
  readonly keyring: Keyring;
  readonly signer: Signer | undefined;
  readonly deleteObjects?: DeleteShreddedObjects | undefined;
}): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/v1/workspaces/:ws/keys',
      summary:
        "The workspace's data key versions (primary, rooted, retired), the kind of store holding its root key, and the latest re-encryption sweep. No key material or key reference.",
      tags: ['keys'],
      access: { kind: 'role', role: 'owner' },
      params: z.strictObject({ ws: z.uuid() }),
      status: 200,
      response: keyStatusView,
      errors: [],
      handler: ({ tx, principal }) => readKeyStatusView(tx, principal.tenantId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/v1/workspaces/:ws/shred',
      summary:
        "Crypto-shred the workspace: destroy every version of its data key, so none of its sealed data opens again. Irreversible. Body: the workspace's name. Answers the signed shred receipt.",
      tags: ['keys'],
      access: { kind: 'role', role: 'owner' },
      params: z.strictObject({ ws: z.uuid() }),
      body: z.strictObject({ confirm: z.string().min(1).max(200) }),
      status: 200,
      response: shredAnswer,
      errors: ['validation_failed', 'conflict'],
      handler: async ({ tx, member, principal }, { body }) => {
        const signer = deps.signer;
        if (signer === undefined) {
          throw new AppError('config_invalid', 'No audit signing key configured');
        }
        const signed = await shredWorkspace(
          tx,
          { keyring: deps.keyring, signer },
          { confirm: body.confirm, userId: member.userId },
        );
        return { signed, principal };
      },
      // Only a committed shred deletes objects: a shred that rolls back leaves them in place.
      afterCommit: async ({ signed, principal }) => {
        let deleted: number | null = null;
        try {
          deleted = (await deps.deleteObjects?.(principal, 'route')) ?? null;
        } catch {
          // Recorded as workspace.objects_deleted {status: error}; the shred stands.
        }
        return { ...signed, objects_deleted: deleted };
      },
    }),
  ];
}

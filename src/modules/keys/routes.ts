/**
 * HTTP routes of the keys module: the key status and crypto-shredding a
 * workspace, both for owners (the status is what an owner reads before
 * deciding to shred or to ask the operator for a rotation; admins manage
 * credentials, not the keys under them).
 */
import { z } from 'zod';
import { AppError } from '../../base/errors.js';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import type { Signer } from '../crypto/index.js';
import type { Keyring } from './keyring.js';
import { shredWorkspace } from './shred.js';
import { signedShredReceipt } from './shred-receipt.js';
import { keyStatusView, readKeyStatusView } from './status-view.js';

export function keyRoutes(deps: {
  readonly keyring: Keyring;
  readonly signer: Signer | undefined;
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
      response: signedShredReceipt,
      errors: ['validation_failed', 'conflict'],
      handler: ({ tx, member }, { body }) => {
        const signer = deps.signer;
        if (signer === undefined) {
          return Promise.reject(new AppError('config_invalid', 'No audit signing key configured'));
        }
        return shredWorkspace(
          tx,
          { keyring: deps.keyring, signer },
          { confirm: body.confirm, userId: member.userId },
        );
      },
    }),
  ];
}

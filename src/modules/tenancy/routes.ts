/**
 * HTTP routes of the tenancy module: workspace members, and each person's
 * own API tokens (token-routes.ts).
 */
import { z } from 'zod';
import type { NameSealer } from './display-name.js';
import { invitationEmail, NO_MAILER, type InvitationMailer } from './invitation-mail.js';
import { defineRoute, type WorkspaceRoute } from './workspace-route.js';
import { changeMemberRole, inviteMember, listMembers, removeMember } from './members.js';
import { NAMED_ROLES, ROLES } from './roles.js';
import { tokenRoutes } from './token-routes.js';

const ws = z.uuid();
/** Sealed as bytes, so PostgreSQL's refusal of NUL in text no longer guards it. */
const displayName = z
  .string()
  .trim()
  .max(200)
  .refine((s) => !s.includes('\0'), 'must not contain NUL');
const member = z.object({
  user_id: z.string(),
  email: z.string(),
  display_name: z.string(),
  role: z.enum(ROLES),
  named_roles: z.array(z.enum(NAMED_ROLES)),
  created_at: z.string(),
});

const invited = member.extend({
  invitation_email: z
    .object({
      sent: z.boolean(),
      error_code: z.enum(['mail_refused', 'mail_timeout', 'mail_unavailable']).nullable(),
    })
    .describe(
      'Whether the invitation email went out (after the membership was committed); a failed send does not undo the invitation.',
    ),
});

type Deps = {
  readonly keyring: NameSealer;
  readonly invitations?: InvitationMailer | undefined;
};

/** Invites by email; the email goes out after the membership committed. */
const inviteRoute = (deps: Deps): WorkspaceRoute =>
  defineRoute({
    method: 'POST',
    url: '/api/v1/workspaces/:ws/members',
    summary: 'Invite a member by email',
    tags: ['members'],
    access: { kind: 'role', role: 'admin' },
    params: z.strictObject({ ws }),
    body: z.strictObject({
      email: z.email().max(320),
      role: z.enum(ROLES).default('member'),
      display_name: displayName.optional(),
      language: z
        .string()
        .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language code such as en or fr-CA')
        .max(35)
        .optional()
        .describe("The invitation email's language; unknown or absent: English."),
    }),
    status: 201,
    response: invited,
    errors: ['conflict'],
    handler: async ({ tx, member: actor, principal }, { body }) => {
      const view = await inviteMember(tx, deps.keyring, actor, {
        email: body.email,
        role: body.role,
        displayName: body.display_name,
      });
      const email = await invitationEmail(tx, deps.keyring, actor, {
        email: view.email,
        language: body.language,
      });
      return { view, email, principal };
    },
    afterCommit: async ({ view, email, principal }) => ({
      ...view,
      invitation_email: await (deps.invitations ?? NO_MAILER).sendInvitation(principal, email),
    }),
  });

/**
 * Member routes; display names are sealed and opened with `deps.keyring`,
 * and an invitation is emailed through `deps.invitations` once committed.
 */
export const tenancyRoutes = (deps: Deps): WorkspaceRoute[] => [
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/members',
    summary: 'List members',
    tags: ['members'],
    access: { kind: 'role', role: 'admin' },
    params: z.strictObject({ ws }),
    status: 200,
    response: z.object({ items: z.array(member) }),
    errors: [],
    handler: async ({ tx }) => ({ items: await listMembers(tx, deps.keyring) }),
  }),
  inviteRoute(deps),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/workspaces/:ws/members/:userId',
    summary: "Change a member's role or named roles",
    tags: ['members'],
    access: { kind: 'role', role: 'admin' },
    params: z.strictObject({ ws, userId: z.uuid() }),
    body: z
      .strictObject({
        role: z.enum(ROLES).optional(),
        named_roles: z.array(z.enum(NAMED_ROLES)).max(2).optional(),
      })
      .refine(
        (b) => b.role !== undefined || b.named_roles !== undefined,
        'Give role or named_roles',
      ),
    status: 200,
    response: member,
    errors: ['last_owner'],
    handler: ({ tx, member: actor }, { params, body }) =>
      changeMemberRole(tx, deps.keyring, actor, params.userId, {
        role: body.role,
        namedRoles: body.named_roles,
      }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/workspaces/:ws/members/:userId',
    summary: 'Remove a member',
    tags: ['members'],
    access: { kind: 'role', role: 'admin' },
    params: z.strictObject({ ws, userId: z.uuid() }),
    status: 204,
    response: z.null(),
    errors: ['last_owner'],
    handler: async ({ tx, member: actor }, { params }) => {
      await removeMember(tx, actor, params.userId);
      return null;
    },
  }),
  ...tokenRoutes,
];

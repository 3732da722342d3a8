/**
 * HTTP routes of the tenancy module: workspace members.
 */
import { z } from 'zod';
import type { NameSealer } from './display-name.js';
import { defineRoute, type WorkspaceRoute } from './workspace-route.js';
import { changeMemberRole, inviteMember, listMembers, removeMember } from './members.js';
import { NAMED_ROLES, ROLES } from './roles.js';

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

/** Member routes; display names are sealed and opened with `deps.keyring`. */
export const tenancyRoutes = (deps: { readonly keyring: NameSealer }): WorkspaceRoute[] => [
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
    }),
    status: 201,
    response: member,
    errors: ['conflict'],
    handler: ({ tx, member: actor }, { body }) =>
      inviteMember(tx, deps.keyring, actor, {
        email: body.email,
        role: body.role,
        displayName: body.display_name,
      }),
  }),
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
];

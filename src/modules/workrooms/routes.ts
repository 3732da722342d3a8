/**
 * HTTP routes of the workrooms module: workrooms, conversations, messages.
 */
import { z } from 'zod';
import { defineRoute, type WorkspaceRoute } from '../tenancy/index.js';
import type { Keyring } from '../keys/index.js';
import { exportRoutes } from './export-route.js';
import { listMessages, postMessage } from './messages.js';
import {
  createConversation,
  createWorkroom,
  getConversation,
  getWorkroom,
  listConversations,
  listWorkrooms,
} from './workrooms.js';

const ws = z.uuid();
const id = z.uuid();
const timestamp = z.string();
const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(200).optional(),
});

const workroom = z.object({
  id: z.string(),
  name: z.string(),
  created_by: z.string(),
  created_at: timestamp,
});
const conversation = z.object({
  id: z.string(),
  workroom_id: z.string(),
  title: z.string().nullable(),
  created_by: z.string(),
  created_at: timestamp,
});
const message = z.object({
  id: z.string(),
  conversation_id: z.string(),
  author_type: z.enum(['user', 'agent', 'system']),
  author_id: z.string().nullable(),
  content: z.string(),
  created_at: timestamp,
});
/**
 * A customer-written name: trimmed, 1 to 200 characters, no NUL. It is sealed
 * as bytes, so PostgreSQL's refusal of NUL in text no longer guards it.
 */
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !s.includes('\0'), 'must not contain NUL');
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), next_cursor: z.string().nullable() });

/** Workrooms and conversations: their names and titles are sealed under the workspace's data key. */
const roomRoutes = (deps: { readonly keyring: Keyring }): WorkspaceRoute[] => [
  defineRoute({
    method: 'POST',
    url: '/api/v1/workspaces/:ws/workrooms',
    summary: 'Create a workroom',
    tags: ['workrooms'],
    access: { kind: 'role', role: 'member' },
    params: z.strictObject({ ws }),
    body: z.strictObject({ name }),
    status: 201,
    response: workroom,
    errors: [],
    handler: ({ tx, member }, { body }) =>
      createWorkroom(tx, deps.keyring, { name: body.name, createdBy: member.userId }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/workrooms',
    summary: 'List workrooms, oldest first',
    tags: ['workrooms'],
    access: { kind: 'role', role: 'viewer' },
    params: z.strictObject({ ws }),
    query: pageQuery,
    status: 200,
    response: page(workroom),
    errors: ['invalid_cursor'],
    handler: ({ tx }, { query }) => listWorkrooms(tx, deps.keyring, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/workrooms/:id',
    summary: 'Get a workroom',
    tags: ['workrooms'],
    access: { kind: 'role', role: 'viewer' },
    params: z.strictObject({ ws, id }),
    status: 200,
    response: workroom,
    errors: [],
    handler: ({ tx }, { params }) => getWorkroom(tx, deps.keyring, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/workspaces/:ws/workrooms/:id/conversations',
    summary: 'Start a conversation in a workroom',
    tags: ['workrooms'],
    access: { kind: 'role', role: 'member' },
    params: z.strictObject({ ws, id }),
    body: z.strictObject({ title: name.nullable().default(null) }),
    status: 201,
    response: conversation,
    errors: [],
    handler: ({ tx, member }, { params, body }) =>
      createConversation(tx, deps.keyring, {
        workroomId: params.id,
        title: body.title,
        createdBy: member.userId,
      }),
  }),
];

/** Reading conversations: their titles are opened as workroom names are. */
const conversationRoutes = (deps: { readonly keyring: Keyring }): WorkspaceRoute[] => [
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/workrooms/:id/conversations',
    summary: "List a workroom's conversations, oldest first",
    tags: ['workrooms'],
    access: { kind: 'role', role: 'viewer' },
    params: z.strictObject({ ws, id }),
    query: pageQuery,
    status: 200,
    response: page(conversation),
    errors: ['invalid_cursor'],
    handler: ({ tx }, { params, query }) =>
      listConversations(tx, deps.keyring, { workroomId: params.id, ...query }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/workspaces/:ws/conversations/:id',
    summary: 'Get a conversation',
    tags: ['workrooms'],
    access: { kind: 'role', role: 'viewer' },
    params: z.strictObject({ ws, id }),
    status: 200,
    response: conversation,
    errors: [],
    handler: ({ tx }, { params }) => getConversation(tx, deps.keyring, params.id),
  }),
];

/** Messages: their content is sealed under the workspace's data key. */
function messageRoutes(deps: { readonly keyring: Keyring }): WorkspaceRoute[] {
  return [
    defineRoute({
      method: 'POST',
      url: '/api/v1/workspaces/:ws/conversations/:id/messages',
      summary: 'Post a message (stored encrypted under the workspace key)',
      tags: ['workrooms'],
      access: { kind: 'role', role: 'member' },
      params: z.strictObject({ ws, id }),
      body: z.strictObject({ content: z.string().min(1).max(100_000) }),
      status: 201,
      response: message,
      errors: ['payload_too_large'],
      handler: ({ tx, member }, { params, body }) =>
        postMessage(tx, deps.keyring, {
          conversationId: params.id,
          authorId: member.userId,
          content: body.content,
        }),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/v1/workspaces/:ws/conversations/:id/messages',
      summary: 'List messages, oldest first (or newest first, paging back in time)',
      tags: ['workrooms'],
      access: { kind: 'role', role: 'viewer' },
      params: z.strictObject({ ws, id }),
      query: pageQuery.extend({
        order: z
          .enum(['oldest_first', 'newest_first'])
          .default('oldest_first')
          .describe(
            'newest_first: the latest messages first, and next_cursor leads to older ones (a chat view loads the newest page, then older pages on demand).',
          ),
      }),
      status: 200,
      response: page(message),
      errors: ['invalid_cursor'],
      handler: ({ tx }, { params, query }) =>
        listMessages(tx, deps.keyring, { conversationId: params.id, ...query }),
    }),
  ];
}

export function workroomRoutes(deps: { readonly keyring: Keyring }): WorkspaceRoute[] {
  return [
    ...roomRoutes(deps),
    ...conversationRoutes(deps),
    ...messageRoutes(deps),
    ...exportRoutes(deps),
  ];
}

/** Workrooms, their conversations, and messages in the current workspace. */
import { api, query, seg } from './client';

export interface Page<T> {
  readonly items: readonly T[];
  readonly next_cursor: string | null;
}

export interface Workroom {
  readonly id: string;
  readonly name: string;
  readonly created_by: string;
  readonly created_at: string;
}

export interface Conversation {
  readonly id: string;
  readonly workroom_id: string;
  readonly title: string | null;
  readonly created_by: string;
  readonly created_at: string;
}

export interface Message {
  readonly id: string;
  readonly conversation_id: string;
  readonly author_type: 'user' | 'agent' | 'system';
  readonly author_id: string | null;
  readonly content: string;
  readonly created_at: string;
}

const base = (ws: string): string => `/workspaces/${seg(ws)}`;

export const listWorkrooms = (ws: string, cursor?: string): Promise<Page<Workroom>> =>
  api.get(`${base(ws)}/workrooms${query({ limit: 50, cursor })}`);

export const getWorkroom = (ws: string, id: string): Promise<Workroom> =>
  api.get(`${base(ws)}/workrooms/${seg(id)}`);

export const createWorkroom = (ws: string, name: string): Promise<Workroom> =>
  api.post(`${base(ws)}/workrooms`, { name });

export const listConversations = (
  ws: string,
  workroomId: string,
  cursor?: string,
): Promise<Page<Conversation>> =>
  api.get(`${base(ws)}/workrooms/${seg(workroomId)}/conversations${query({ limit: 50, cursor })}`);

export const getConversation = (ws: string, id: string): Promise<Conversation> =>
  api.get(`${base(ws)}/conversations/${seg(id)}`);

export const createConversation = (
  ws: string,
  workroomId: string,
  title: string | null,
): Promise<Conversation> =>
  api.post(`${base(ws)}/workrooms/${seg(workroomId)}/conversations`, { title });

/** The latest messages first; `cursor` (a page's next_cursor) leads to older ones. */
export const listMessagesNewestFirst = (
  ws: string,
  conversationId: string,
  cursor?: string,
  limit = 50,
): Promise<Page<Message>> =>
  api.get(
    `${base(ws)}/conversations/${seg(conversationId)}/messages${query({ order: 'newest_first', limit, cursor })}`,
  );

export const postMessage = (
  ws: string,
  conversationId: string,
  content: string,
): Promise<Message> =>
  api.post(`${base(ws)}/conversations/${seg(conversationId)}/messages`, { content });

/**
 * A same-origin link to the workroom as a Word document (the session cookie
 * goes with it; the server names the file).
 */
export function workroomDocxUrl(workspaceId: string, workroomId: string): string {
  return `/api/v1/workspaces/${seg(workspaceId)}/workrooms/${seg(workroomId)}/export.docx`;
}

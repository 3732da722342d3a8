/**
 * Asking an agent in a conversation: the question is stored as the
 * member's message and the agent's reply streams back (server-sent events),
 * then is stored as the agent's message.
 */
import { ApiError, postStream, seg } from './client';
import type { Message } from './workrooms';

export interface RunStarted {
  readonly run_id: string;
  readonly question_message_id: string;
}

export interface RunHandlers {
  readonly onStart: (started: RunStarted) => void;
  readonly onText: (text: string) => void;
}

/** Resolves with the stored reply; a refusal or a failed run throws ApiError. */
export async function askAgent(
  ws: string,
  conversationId: string,
  input: { readonly agent_id: string; readonly content: string },
  handlers: RunHandlers,
): Promise<Message> {
  let reply: Message | undefined;
  let failure: ApiError | undefined;
  await postStream(
    `/workspaces/${seg(ws)}/conversations/${seg(conversationId)}/runs`,
    input,
    ({ event, data }) => {
      const d = (data ?? {}) as Record<string, unknown>;
      if (event === 'run') handlers.onStart(d as unknown as RunStarted);
      else if (event === 'delta' && typeof d['text'] === 'string') handlers.onText(d['text']);
      else if (event === 'done') reply = d['reply_message'] as Message;
      else if (event === 'error') {
        const code = typeof d['code'] === 'string' ? d['code'] : 'internal';
        failure = new ApiError(code, 0, typeof d['message'] === 'string' ? d['message'] : code);
      }
    },
  );
  if (failure !== undefined) throw failure;
  if (reply === undefined) throw new ApiError('network', 0, 'The reply stopped before its end');
  return reply;
}

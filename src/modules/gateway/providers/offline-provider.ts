/**
 * The embedded default: when a workspace has no key and the operator has set
 * none, this answers every operation locally, in the right wire format and
 * streaming when asked, and says plainly that no model was called. It never
 * opens a socket, so `npm start` works with no network and no key.
 */
import { createHash } from 'node:crypto';
import {
  anthropicEvents,
  anthropicMessage,
  chatCompletion,
  chatEvents,
  embedding,
  response,
  responseEvents,
  type OfflineReply,
} from './offline-wire.js';
import {
  isStreaming,
  type Provider,
  type ProviderRequest,
  type ProviderResult,
  type StreamEvent,
} from './types.js';

export const OFFLINE_NOTICE =
  '[offline] Wardroom has no LLM key configured for this workspace; no model was called. ' +
  'An admin can add an Anthropic or OpenAI key, or the operator a platform key, to get real answers.';

const DEFAULT_DIMENSIONS = 256;

/** About four bytes a token, rounded up: an estimate, consistent for equal input. */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

function promptText(body: Readonly<Record<string, unknown>>): string {
  return JSON.stringify([body['system'], body['messages'], body['input'], body['instructions']]);
}

function reply(request: ProviderRequest): OfflineReply {
  const prompt = promptText(request.body);
  const inputTokens = estimateTokens(prompt);
  const text = `${OFFLINE_NOTICE} (model ${request.model}; about ${inputTokens} input tokens received.)`;
  const id = createHash('sha256')
    .update(`${request.operation}\n${request.model}\n${prompt}`)
    .digest('hex')
    .slice(0, 24);
  return {
    id: `offline_${id}`,
    model: request.model,
    text,
    usage: { inputTokens, outputTokens: estimateTokens(text) },
  };
}

function embeddings(request: ProviderRequest): ProviderResult {
  const raw = request.body['input'];
  const inputs = (Array.isArray(raw) ? raw : [raw]).map((item) =>
    typeof item === 'string' ? item : JSON.stringify(item),
  );
  const asked = request.body['dimensions'];
  const dimensions =
    typeof asked === 'number' && Number.isInteger(asked) && asked > 0 && asked <= 4096
      ? asked
      : DEFAULT_DIMENSIONS;
  const inputTokens = inputs.reduce((sum, text) => sum + estimateTokens(text), 0);
  const body = {
    object: 'list',
    data: inputs.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: embedding(request.model, text, dimensions),
    })),
    model: request.model,
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  };
  return { kind: 'json', status: 200, body, usage: { inputTokens, outputTokens: 0 } };
}

async function* replay(events: StreamEvent[], signal: AbortSignal | undefined) {
  for (const event of events) {
    signal?.throwIfAborted();
    await Promise.resolve();
    yield event;
  }
}

function answer(request: ProviderRequest): ProviderResult {
  request.signal?.throwIfAborted();
  if (request.operation === 'openai.embeddings') return embeddings(request);
  const r = reply(request);
  const format = {
    'anthropic.messages': [anthropicMessage, anthropicEvents],
    'openai.chat_completions': [chatCompletion, chatEvents],
    'openai.responses': [response, responseEvents],
  } as const;
  const [json, events] = format[request.operation];
  if (!isStreaming(request)) return { kind: 'json', status: 200, body: json(r), usage: r.usage };
  return {
    kind: 'stream',
    status: 200,
    events: replay(events(r), request.signal),
    usage: () => r.usage,
  };
}

export function createOfflineProvider(): Provider {
  // The executor turns a throw (an already cancelled caller) into a rejection.
  return { call: (request) => new Promise((resolve) => resolve(answer(request))) };
}

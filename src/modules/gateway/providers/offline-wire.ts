/**
 * The offline provider's answers, in each wire format, shaped like the real
 * ones so the official SDKs parse them. Everything is a function of the
 * request: the same request always gets the same bytes (ids and vectors come
 * from a hash of it, timestamps are 0).
 */
import { createHash } from 'node:crypto';
import type { StreamEvent, Usage } from './types.js';

export interface OfflineReply {
  readonly id: string;
  readonly model: string;
  readonly text: string;
  readonly usage: Usage;
}

const event = (name: string | undefined, json: unknown): StreamEvent => ({
  event: name,
  data: JSON.stringify(json),
  json,
});

/** The reply's text in a few pieces, as a stream would deliver it. */
export function pieces(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text];
}

export function anthropicMessage(r: OfflineReply): unknown {
  return {
    id: `msg_${r.id}`,
    type: 'message',
    role: 'assistant',
    model: r.model,
    content: [{ type: 'text', text: r.text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: r.usage.inputTokens, output_tokens: r.usage.outputTokens },
  };
}

export function anthropicEvents(r: OfflineReply): StreamEvent[] {
  const start = {
    ...(anthropicMessage(r) as Record<string, unknown>),
    content: [],
    stop_reason: null,
    usage: { input_tokens: r.usage.inputTokens, output_tokens: 1 },
  };
  return [
    event('message_start', { type: 'message_start', message: start }),
    event('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    }),
    ...pieces(r.text).map((text) =>
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text },
      }),
    ),
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: r.usage.outputTokens },
    }),
    event('message_stop', { type: 'message_stop' }),
  ];
}

const chatUsage = (u: Usage) => ({
  prompt_tokens: u.inputTokens,
  completion_tokens: u.outputTokens,
  total_tokens: u.inputTokens + u.outputTokens,
});

export function chatCompletion(r: OfflineReply): unknown {
  return {
    id: `chatcmpl-${r.id}`,
    object: 'chat.completion',
    created: 0,
    model: r.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: r.text, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: chatUsage(r.usage),
  };
}

export function chatEvents(r: OfflineReply): StreamEvent[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    event(undefined, {
      id: `chatcmpl-${r.id}`,
      object: 'chat.completion.chunk',
      created: 0,
      model: r.model,
      choices,
      ...extra,
    });
  const delta = (d: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta: d,
    logprobs: null,
    finish_reason: finish,
  });
  return [
    chunk([delta({ role: 'assistant', content: '' })]),
    ...pieces(r.text).map((content) => chunk([delta({ content })])),
    chunk([delta({}, 'stop')]),
    chunk([], { usage: chatUsage(r.usage) }),
    { event: undefined, data: '[DONE]', json: undefined },
  ];
}

export function response(r: OfflineReply, status = 'completed'): Record<string, unknown> {
  const done = status === 'completed';
  return {
    id: `resp_${r.id}`,
    object: 'response',
    created_at: 0,
    status,
    model: r.model,
    output: done
      ? [
          {
            type: 'message',
            id: `msg_${r.id}`,
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: r.text, annotations: [] }],
          },
        ]
      : [],
    usage: done
      ? {
          input_tokens: r.usage.inputTokens,
          output_tokens: r.usage.outputTokens,
          total_tokens: r.usage.inputTokens + r.usage.outputTokens,
        }
      : null,
  };
}

export function responseEvents(r: OfflineReply): StreamEvent[] {
  let sequence = 0;
  const next = (type: string, fields: Record<string, unknown>) =>
    event(type, { type, sequence_number: sequence++, ...fields });
  const at = { item_id: `msg_${r.id}`, output_index: 0, content_index: 0 };
  return [
    next('response.created', { response: response(r, 'in_progress') }),
    ...pieces(r.text).map((delta) => next('response.output_text.delta', { ...at, delta })),
    next('response.output_text.done', { ...at, text: r.text }),
    next('response.completed', { response: response(r) }),
  ];
}

/** A unit vector of `dimensions` from a hash of the input: equal inputs, equal vectors. */
export function embedding(model: string, input: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${model}\n${block}\n${input}`).digest();
    for (let i = 0; i + 2 <= digest.length && values.length < dimensions; i += 2) {
      values.push(digest.readUInt16BE(i) / 32767.5 - 1);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map((v) => v / norm);
}

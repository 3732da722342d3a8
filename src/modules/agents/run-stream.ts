/**
 * The reply text in a provider's stream: Anthropic's `content_block_delta`
 * text deltas, OpenAI chat chunks' `choices[0].delta.content`. Other events
 * (usage, pings, stops) carry no text.
 */
import type { Operation, StreamEvent } from '../gateway/index.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

/** The text this event adds to the reply ('' for none). */
export function textOf(operation: Operation, event: StreamEvent): string {
  const json = record(event.json);
  if (json === undefined) return '';
  if (operation === 'anthropic.messages') {
    if (json['type'] !== 'content_block_delta') return '';
    const delta = record(json['delta']);
    return delta?.['type'] === 'text_delta' && typeof delta['text'] === 'string'
      ? delta['text']
      : '';
  }
  if (operation === 'openai.chat_completions') {
    const choices = json['choices'];
    const first = Array.isArray(choices) ? record(choices[0]) : undefined;
    const content = record(first?.['delta'])?.['content'];
    return typeof content === 'string' ? content : '';
  }
  return '';
}

/** The reply text of a complete JSON answer (a cached or non-streamed one). */
export function textOfJson(operation: Operation, body: unknown): string {
  const json = record(body);
  if (operation === 'anthropic.messages') {
    const content = json?.['content'];
    if (!Array.isArray(content)) return '';
    return content
      .map((block) => {
        const b = record(block);
        return b?.['type'] === 'text' && typeof b['text'] === 'string' ? b['text'] : '';
      })
      .join('');
  }
  if (operation === 'openai.chat_completions') {
    const choices = json?.['choices'];
    const first = Array.isArray(choices) ? record(choices[0]) : undefined;
    const content = record(first?.['message'])?.['content'];
    return typeof content === 'string' ? content : '';
  }
  return '';
}

/**
 * An upstream SSE body as an async iterable of parsed events, parsed by
 * eventsource-parser. The stream is only trusted whole: a body that ends
 * before the provider's closing event, carries data that is not JSON, or
 * reports an error event throws `llm_upstream_error` (or `llm_overloaded`),
 * so a cut stream is never mistaken for a short answer.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { AppError } from '../../../base/errors.js';
import { transportError } from './upstream-errors.js';
import type { Operation, ProviderName, StreamEvent, StreamResult } from './types.js';
import { StreamUsage } from './usage.js';

export interface UpstreamBody extends AsyncIterable<Uint8Array> {
  destroy(): unknown;
}

function malformed(provider: ProviderName, why: string): AppError {
  return new AppError('llm_upstream_error', `${provider} sent a malformed stream: ${why}`, {
    details: { provider, reason: 'malformed_stream' },
  });
}

function toEvent(provider: ProviderName, message: EventSourceMessage): StreamEvent {
  if (message.data === '[DONE]')
    return { event: message.event, data: message.data, json: undefined };
  try {
    return { event: message.event, data: message.data, json: JSON.parse(message.data) as unknown };
  } catch {
    throw malformed(provider, 'an event whose data is not JSON');
  }
}

/** Anthropic reports failures inside a 200 stream as an `error` event. */
function streamedError(provider: ProviderName, event: StreamEvent): AppError | undefined {
  const json = event.json as { type?: unknown; error?: { type?: unknown } } | undefined;
  if (json?.type !== 'error' && event.event !== 'error') return undefined;
  const isOverloaded = json?.error?.type === 'overloaded_error';
  return new AppError(
    isOverloaded ? 'llm_overloaded' : 'llm_upstream_error',
    `${provider} reported an error in the stream`,
    { details: { provider, reason: 'stream_error' } },
  );
}

async function* parse(
  body: UpstreamBody,
  operation: Operation,
  provider: ProviderName,
  tracker: StreamUsage,
  signal: AbortSignal | undefined,
): AsyncGenerator<StreamEvent> {
  const queue: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (message) => queue.push(message) });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of body) {
      parser.feed(decoder.decode(chunk, { stream: true }));
      for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
        const event = toEvent(provider, message);
        const error = streamedError(provider, event);
        if (error !== undefined) throw error;
        tracker.observe(event);
        yield event;
      }
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (signal?.aborted === true) throw signal.reason;
    throw transportError(provider, error);
  } finally {
    body.destroy();
  }
  if (!tracker.isComplete)
    throw malformed(provider, `it ended before its last event (${operation})`);
}

export function streamResult(
  status: number,
  body: UpstreamBody,
  operation: Operation,
  provider: ProviderName,
  signal: AbortSignal | undefined,
): StreamResult {
  const tracker = new StreamUsage(operation);
  return {
    kind: 'stream',
    status,
    events: parse(body, operation, provider, tracker, signal),
    usage: () => tracker.usage(),
  };
}

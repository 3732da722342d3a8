/**
 * A provider stream as the gateway's caller reads it: at its end the call
 * is settled and audited; a stream that throws (cut, malformed, timed out,
 * cancelled) or that the caller leaves early is closed upstream, what it
 * consumed is settled (or the reservation released when nothing was
 * counted) and its outcome recorded. Exactly one of the two starts, when the
 * caller finishes or leaves the loop (a caller must iterate or `return()`
 * the events; the routes and agent runs always do), and neither holds the
 * caller up: the pipeline runs them after the last event is handed over.
 */
import { AppError } from '../../../base/errors.js';
import type { CachedResponse } from '../ports.js';
import type { StreamEvent, StreamResult, Usage } from '../providers/types.js';

export interface StreamEnds {
  /** The stream ended whole; `store` is its cacheable copy when a cache is wired. */
  finish(usage: Usage, store: CachedResponse | undefined): void;
  /** The stream failed or was left; rethrows the failure as an AppError. */
  fail(error: unknown, usage: Usage): Promise<never>;
}

export function watchedStream(
  inner: StreamResult,
  keepEvents: boolean,
  ends: StreamEnds,
): StreamResult {
  async function* events(): AsyncGenerator<StreamEvent> {
    const kept: { event: string | undefined; data: string }[] = [];
    let ended = false;
    let failure: { error: unknown } | undefined;
    try {
      for await (const event of inner.events) {
        if (keepEvents) kept.push({ event: event.event, data: event.data });
        yield event;
      }
      ended = true;
    } catch (error) {
      failure = { error };
    } finally {
      const usage = inner.usage();
      if (ended) {
        const copy: CachedResponse = { kind: 'stream', status: inner.status, events: kept, usage };
        ends.finish(usage, keepEvents ? copy : undefined);
      } else if (failure !== undefined) {
        await ends.fail(failure.error, usage);
      } else {
        // Left early: nobody is listening for an error.
        const left = new AppError('llm_cancelled', 'The caller left the stream early');
        await ends.fail(left, usage).catch(() => undefined);
      }
    }
  }
  return { kind: 'stream', status: inner.status, events: events(), usage: () => inner.usage() };
}

/** A cached answer as a provider result (a stream is replayed from its events). */
export function replayed(
  cached: CachedResponse,
): StreamResult | { kind: 'json'; status: number; body: unknown; usage: Usage } {
  if (cached.kind === 'json') {
    return { kind: 'json', status: cached.status, body: cached.body, usage: cached.usage };
  }
  const events: StreamEvent[] = cached.events.map((e) => ({
    event: e.event,
    data: e.data,
    json: e.data === '[DONE]' ? undefined : (JSON.parse(e.data) as unknown),
  }));
  async function* replay(): AsyncGenerator<StreamEvent> {
    for (const event of events) yield await Promise.resolve(event);
  }
  return { kind: 'stream', status: cached.status, events: replay(), usage: () => cached.usage };
}

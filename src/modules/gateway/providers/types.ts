/**
 * The provider port: what the gateway asks of an upstream LLM, and what it
 * gets back. The body travels in the provider's own wire format (the
 * Wardroom-compatible endpoints forward what the official SDKs send); only
 * usage is normalized, because budgets and audit need one shape.
 */

export type ProviderName = 'anthropic' | 'openai';

export type Operation =
  'anthropic.messages' | 'openai.chat_completions' | 'openai.responses' | 'openai.embeddings';

export const operationProvider: Readonly<Record<Operation, ProviderName>> = {
  'anthropic.messages': 'anthropic',
  'openai.chat_completions': 'openai',
  'openai.responses': 'openai',
  'openai.embeddings': 'openai',
};

/** Tokens as the provider counted them; input includes cached and cache-write tokens. */
export interface Usage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export interface ProviderRequest {
  readonly operation: Operation;
  readonly model: string;
  /** The request body in the provider's wire format; `model` is set from `model`. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Opened per call and never kept: it leaves this layer only in the upstream's auth header. */
  readonly apiKey: Buffer | string;
  /** Without trailing slash: Anthropic without `/v1`, OpenAI with `/v1` (as their SDKs). */
  readonly baseUrl: string;
  /** The caller's cancellation: aborting it closes the upstream connection. */
  readonly signal?: AbortSignal;
  /** Wait for headers, then between body pieces. */
  readonly timeoutMs: number;
}

/** One server-sent event as the upstream sent it, with its data parsed. */
export interface StreamEvent {
  /** The SSE `event:` field (Anthropic and OpenAI Responses name their events). */
  readonly event: string | undefined;
  /** The raw `data:` text, for forwarding unchanged. */
  readonly data: string;
  /** `data` parsed as JSON; undefined for OpenAI's closing `[DONE]`. */
  readonly json: unknown;
}

export interface JsonResult {
  readonly kind: 'json';
  readonly status: number;
  readonly body: unknown;
  readonly usage: Usage;
}

export interface StreamResult {
  readonly kind: 'stream';
  readonly status: number;
  /**
   * The events, in order. Iterating to the end validates the stream (a cut or
   * malformed stream throws `llm_upstream_error`); leaving the loop early
   * closes the upstream connection.
   */
  readonly events: AsyncIterable<StreamEvent>;
  /**
   * The usage seen so far: final once `events` has ended, partial when the
   * stream was cut or abandoned (what was consumed is still spend).
   */
  usage(): Usage;
}

export type ProviderResult = JsonResult | StreamResult;

export interface Provider {
  call(request: ProviderRequest): Promise<ProviderResult>;
}

/** Whether the body asks for a stream (`"stream": true`); embeddings never stream. */
export function isStreaming(request: Pick<ProviderRequest, 'operation' | 'body'>): boolean {
  return request.operation !== 'openai.embeddings' && request.body['stream'] === true;
}

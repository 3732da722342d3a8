/**
 * Reading token usage out of each wire format, JSON answers and streams
 * alike. Anthropic counts cache reads and writes apart from `input_tokens`;
 * they are added in, since they are billed input (budgets may overcount, never
 * undercount).
 */
import type { Operation, StreamEvent, Usage } from './types.js';

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}

function anthropicInput(usage: Json): number {
  return (
    count(usage['input_tokens']) +
    count(usage['cache_creation_input_tokens']) +
    count(usage['cache_read_input_tokens'])
  );
}

/** Usage of a complete JSON answer of `operation`. */
export function usageFromJson(operation: Operation, body: unknown): Usage {
  const usage = record(record(body)?.['usage']) ?? {};
  switch (operation) {
    case 'anthropic.messages':
      return { inputTokens: anthropicInput(usage), outputTokens: count(usage['output_tokens']) };
    case 'openai.chat_completions':
      return {
        inputTokens: count(usage['prompt_tokens']),
        outputTokens: count(usage['completion_tokens']),
      };
    case 'openai.responses':
      return {
        inputTokens: count(usage['input_tokens']),
        outputTokens: count(usage['output_tokens']),
      };
    case 'openai.embeddings':
      return { inputTokens: count(usage['prompt_tokens']), outputTokens: 0 };
  }
}

/**
 * Follows a stream's events: the usage so far, and whether the stream ended
 * properly (Anthropic `message_stop`, OpenAI `[DONE]` or `response.completed`).
 */
export class StreamUsage {
  inputTokens = 0;
  outputTokens = 0;
  isComplete = false;

  constructor(private readonly operation: Operation) {}

  observe(event: StreamEvent): void {
    const json = record(event.json);
    if (this.operation === 'anthropic.messages') this.observeAnthropic(json);
    else if (this.operation === 'openai.responses') this.observeResponses(json);
    else if (event.data === '[DONE]') this.isComplete = true;
    else this.observeChat(json);
  }

  usage(): Usage {
    return { inputTokens: this.inputTokens, outputTokens: this.outputTokens };
  }

  private observeAnthropic(json: Json | undefined): void {
    const type = json?.['type'];
    if (type === 'message_start') {
      const usage = record(record(json?.['message'])?.['usage']) ?? {};
      this.inputTokens = anthropicInput(usage);
      this.outputTokens = count(usage['output_tokens']);
    } else if (type === 'message_delta') {
      // Cumulative counts: the last delta is the total.
      const usage = record(json?.['usage']) ?? {};
      if (usage['output_tokens'] !== undefined) this.outputTokens = count(usage['output_tokens']);
      if (usage['input_tokens'] !== undefined) this.inputTokens = anthropicInput(usage);
    } else if (type === 'message_stop') {
      this.isComplete = true;
    }
  }

  private observeChat(json: Json | undefined): void {
    const usage = record(json?.['usage']);
    if (usage === undefined) return;
    this.inputTokens = count(usage['prompt_tokens']);
    this.outputTokens = count(usage['completion_tokens']);
  }

  private observeResponses(json: Json | undefined): void {
    const type = json?.['type'];
    if (type !== 'response.completed' && type !== 'response.incomplete') return;
    const usage = record(record(json?.['response'])?.['usage']) ?? {};
    this.inputTokens = count(usage['input_tokens']);
    this.outputTokens = count(usage['output_tokens']);
    this.isComplete = true;
  }
}

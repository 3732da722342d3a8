import { describe, expect, it } from 'vitest';
import { textOf, textOfJson } from './run-stream.js';

const event = (json: unknown) => ({ event: undefined, data: JSON.stringify(json), json });

describe('textOf', () => {
  it("reads Anthropic's text deltas and nothing else", () => {
    const op = 'anthropic.messages';
    expect(
      textOf(op, event({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'Hi' } })),
    ).toBe('Hi');
    expect(
      textOf(op, event({ type: 'content_block_delta', delta: { type: 'input_json_delta' } })),
    ).toBe('');
    expect(textOf(op, event({ type: 'message_delta', usage: { output_tokens: 3 } }))).toBe('');
  });

  it("reads OpenAI chat chunks' delta content, and not [DONE] or the usage chunk", () => {
    const op = 'openai.chat_completions';
    expect(textOf(op, event({ choices: [{ delta: { content: 'Hi' } }] }))).toBe('Hi');
    expect(textOf(op, event({ choices: [], usage: { completion_tokens: 3 } }))).toBe('');
    expect(textOf(op, { event: undefined, data: '[DONE]', json: undefined })).toBe('');
  });
});

describe('textOfJson', () => {
  it('reads the text of complete answers', () => {
    expect(
      textOfJson('anthropic.messages', {
        content: [
          { type: 'text', text: 'a' },
          { type: 'tool_use', id: 'x' },
          { type: 'text', text: 'b' },
        ],
      }),
    ).toBe('ab');
    expect(
      textOfJson('openai.chat_completions', { choices: [{ message: { content: 'c' } }] }),
    ).toBe('c');
    expect(textOfJson('openai.chat_completions', { choices: 'nope' })).toBe('');
  });
});

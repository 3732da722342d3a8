import { describe, expect, it } from 'vitest';
import { buildRunRequest, turnsOf, type ContextMessage } from './run-request.js';

const AGENT = '0190c0de-0000-7000-8000-00000000000a';
const OTHER = '0190c0de-0000-7000-8000-00000000000b';
const user = (content: string): ContextMessage => ({
  author_type: 'user',
  author_id: '0190c0de-0000-7000-8000-0000000000ff',
  content,
});
const agent = (content: string, id = AGENT): ContextMessage => ({
  author_type: 'agent',
  author_id: id,
  content,
});

describe('turnsOf', () => {
  it("makes this agent's replies assistant turns and everything else user turns", () => {
    expect(turnsOf(AGENT, [user('a'), agent('b'), user('c')])).toEqual([
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'b' },
      { role: 'user', content: 'c' },
    ]);
  });

  it("joins consecutive turns of one role, counting another agent's reply as user", () => {
    expect(turnsOf(AGENT, [user('a'), agent('x', OTHER), user('c')])).toEqual([
      { role: 'user', content: 'a\n\nx\n\nc' },
    ]);
  });

  it('drops leading assistant turns, so the first turn is the user', () => {
    expect(turnsOf(AGENT.toUpperCase(), [agent('old'), user('q')])).toEqual([
      { role: 'user', content: 'q' },
    ]);
  });
});

describe('buildRunRequest', () => {
  const base = { id: AGENT, model: 'm', systemPrompt: 'Be brief.', maxOutputTokens: 300 };

  it('builds a streamed Anthropic messages request with the prompt as system', () => {
    expect(buildRunRequest({ ...base, provider: 'anthropic' }, [user('q')])).toEqual({
      operation: 'anthropic.messages',
      body: {
        model: 'm',
        max_tokens: 300,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'q' }],
        stream: true,
      },
    });
  });

  it('builds a streamed OpenAI chat request with the prompt as the first message', () => {
    expect(buildRunRequest({ ...base, provider: 'openai' }, [user('q')])).toEqual({
      operation: 'openai.chat_completions',
      body: {
        model: 'm',
        max_completion_tokens: 300,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'q' },
        ],
        stream: true,
      },
    });
  });

  it('leaves an empty prompt out', () => {
    const anthropic = buildRunRequest({ ...base, systemPrompt: '', provider: 'anthropic' }, []);
    expect(anthropic.body).not.toHaveProperty('system');
    const openai = buildRunRequest({ ...base, systemPrompt: '', provider: 'openai' }, [user('q')]);
    expect(openai.body['messages']).toEqual([{ role: 'user', content: 'q' }]);
  });
});

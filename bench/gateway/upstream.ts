/**
 * The bench's fake LLM upstream: a lean loopback HTTP server speaking
 * OpenAI Chat Completions, a small fixed answer as JSON, or as server-sent
 * events when the body says `"stream": true`. Nothing is recorded or
 * checked (test/support/fake-llm-upstream.ts does that for tests), so its
 * own cost per request stays small and constant across the legs. Runs in a
 * process of its own (upstream-main.ts).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';

export const UPSTREAM_TEXT = 'Hello from the bench upstream.';
const USAGE = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };

function completion(model: string): string {
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_767_225_600,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: UPSTREAM_TEXT, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: USAGE,
  });
}

/** Role, four content chunks, the finish, the usage chunk (asked or not), [DONE]. */
function stream(model: string): string {
  const chunk = (delta: object, finish: string | null, usage: object | null = null) =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1_767_225_600,
      model,
      choices:
        finish === 'usage' ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      usage,
    })}\n\n`;
  const words = UPSTREAM_TEXT.split(/(?<= )/);
  return [
    chunk({ role: 'assistant', content: '' }, null),
    ...words.map((w) => chunk({ content: w }, null)),
    chunk({}, 'stop'),
    chunk({}, 'usage', USAGE),
    'data: [DONE]\n\n',
  ].join('');
}

function modelOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && 'model' in body) {
    const { model } = body;
    if (typeof model === 'string') return model;
  }
  return 'unknown';
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST' || !(req.url ?? '').endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"body is not JSON","type":"invalid_request_error"}}');
      return;
    }
    const model = modelOf(body);
    const streamed =
      typeof body === 'object' && body !== null && 'stream' in body && body.stream === true;
    if (streamed) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(stream(model));
    } else {
      const text = completion(model);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
    }
  });
}

export async function listenUpstream(): Promise<http.Server> {
  const server = http.createServer({ keepAliveTimeout: 60_000 }, handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

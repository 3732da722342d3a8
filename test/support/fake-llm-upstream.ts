/**
 * A fake Anthropic + OpenAI upstream on loopback: a real HTTP server that
 * speaks both wire formats (JSON and SSE), written from the providers' API
 * references and independently of the gateway's own offline provider, so a
 * shape mistake in the gateway shows up here. It records every request and
 * checks it (auth headers, version header, body shape); any request that
 * fails a check is answered 400 and listed in `problems`.
 *
 * `script()` queues what the next requests get: an error status (with
 * headers), a hang, a malformed stream, a stream dropped or stalled midway.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRecord, listen, parseJson, sendJson, type Listening } from './fake-http.js';

export type Scenario =
  | { readonly kind: 'ok' }
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Record<string, string>;
      readonly body?: unknown;
    }
  | { readonly kind: 'hang' }
  | { readonly kind: 'malformed-stream' }
  /** Anthropic's way of failing inside a 200 stream: an `error` event. */
  | { readonly kind: 'error-event' }
  | { readonly kind: 'drop-mid-stream' }
  | { readonly kind: 'stall-mid-stream' };

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface FakeLlmUpstream {
  /** Base URL for WARDROOM_ANTHROPIC_BASE_URL (no /v1). */
  readonly anthropicBaseUrl: string;
  /** Base URL for WARDROOM_OPENAI_BASE_URL (with /v1). */
  readonly openaiBaseUrl: string;
  readonly requests: RecordedRequest[];
  readonly problems: string[];
  /** Responses whose connection closed before the fake finished them (client gone). */
  readonly closedEarly: number;
  script(...scenarios: Scenario[]): void;
  /** Resolves once a response has been cut by the client. */
  clientClosed(): Promise<void>;
  close(): Promise<void>;
}

export const FAKE_TEXT = 'Hello from the fake upstream.';
export const FAKE_USAGE = { input: 11, output: 7 } as const;

type Json = Record<string, unknown>;
type Check = (req: IncomingMessage, body: Json, key: string) => string[];

const anthropicAuth: Check = (req, _body, key) => [
  ...(req.headers['x-api-key'] === key ? [] : ['x-api-key is not the expected key']),
  ...(req.headers['anthropic-version'] === '2023-06-01' ? [] : ['anthropic-version missing']),
  ...(req.headers.authorization === undefined ? [] : ['Authorization sent to Anthropic']),
];

const openaiAuth: Check = (req, _body, key) => [
  ...(req.headers.authorization === `Bearer ${key}` ? [] : ['Authorization is not Bearer <key>']),
  ...(req.headers['x-api-key'] === undefined ? [] : ['x-api-key sent to OpenAI']),
];

const shape =
  (fields: Record<string, (v: unknown) => boolean>): Check =>
  (_req, body) =>
    Object.entries(fields).flatMap(([name, ok]) =>
      ok(body[name]) ? [] : [`body.${name} is wrong`],
    );

const isString = (v: unknown) => typeof v === 'string' && v.length > 0;
const isPositiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const present = (v: unknown) => v !== undefined;

const routes: Record<string, Check[]> = {
  '/v1/messages': [
    anthropicAuth,
    shape({ model: isString, max_tokens: isPositiveInt, messages: Array.isArray }),
  ],
  '/v1/chat/completions': [
    openaiAuth,
    shape({ model: isString, messages: Array.isArray }),
    (_req, body) =>
      body['stream'] === true &&
      !(isRecord(body['stream_options']) && body['stream_options']['include_usage'] === true)
        ? ['stream without stream_options.include_usage']
        : [],
  ],
  '/v1/responses': [openaiAuth, shape({ model: isString, input: present })],
  '/v1/embeddings': [openaiAuth, shape({ model: isString, input: present })],
};

function anthropicJson(model: string): Json {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text: FAKE_TEXT }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: FAKE_USAGE.input, output_tokens: FAKE_USAGE.output },
  };
}

function anthropicEvents(model: string): string[] {
  const e = (name: string, data: Json) =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  return [
    e('message_start', {
      message: {
        ...anthropicJson(model),
        content: [],
        stop_reason: null,
        usage: { input_tokens: FAKE_USAGE.input, output_tokens: 1 },
      },
    }),
    e('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    e('ping', {}),
    e('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hello from ' } }),
    e('content_block_delta', {
      index: 0,
      delta: { type: 'text_delta', text: 'the fake upstream.' },
    }),
    e('content_block_stop', { index: 0 }),
    e('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: FAKE_USAGE.output },
    }),
    e('message_stop', {}),
  ];
}

const chatUsage = {
  prompt_tokens: FAKE_USAGE.input,
  completion_tokens: FAKE_USAGE.output,
  total_tokens: FAKE_USAGE.input + FAKE_USAGE.output,
};

function chatJson(model: string): Json {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content: FAKE_TEXT }, finish_reason: 'stop' },
    ],
    usage: chatUsage,
  };
}

function chatEvents(model: string): string[] {
  const chunk = (choices: unknown[], extra: Json = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1, model, choices, ...extra })}\n\n`;
  return [
    chunk([
      { index: 0, delta: { role: 'assistant', content: 'Hello from ' }, finish_reason: null },
    ]),
    chunk([{ index: 0, delta: { content: 'the fake upstream.' }, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunk([], { usage: chatUsage }),
    'data: [DONE]\n\n',
  ];
}

function responseJson(model: string): Json {
  return {
    id: 'resp_fake',
    object: 'response',
    status: 'completed',
    model,
    output: [
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: FAKE_TEXT }] },
    ],
    usage: { input_tokens: FAKE_USAGE.input, output_tokens: FAKE_USAGE.output, total_tokens: 18 },
  };
}

function responseEvents(model: string): string[] {
  const e = (name: string, data: Json) =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  return [
    e('response.created', {
      response: { ...responseJson(model), status: 'in_progress', output: [], usage: null },
    }),
    e('response.output_text.delta', { output_index: 0, content_index: 0, delta: FAKE_TEXT }),
    e('response.completed', { response: responseJson(model) }),
  ];
}

function embeddingsJson(model: string): Json {
  return {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding: [0.6, 0.8] }],
    model,
    usage: { prompt_tokens: FAKE_USAGE.input, total_tokens: FAKE_USAGE.input },
  };
}

const answers: Record<string, { json: (m: string) => Json; events?: (m: string) => string[] }> = {
  '/v1/messages': { json: anthropicJson, events: anthropicEvents },
  '/v1/chat/completions': { json: chatJson, events: chatEvents },
  '/v1/responses': { json: responseJson, events: responseEvents },
  '/v1/embeddings': { json: embeddingsJson },
};

function stream(res: ServerResponse, events: string[], scenario: Scenario): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (scenario.kind === 'malformed-stream') {
    res.end(`${events[0] ?? ''}data: {"type": "content_block_delta", "delta": \n\n`);
    return;
  }
  if (scenario.kind === 'error-event') {
    const error = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    res.end(`${events.slice(0, 2).join('')}event: error\ndata: ${JSON.stringify(error)}\n\n`);
    return;
  }
  if (scenario.kind === 'drop-mid-stream' || scenario.kind === 'stall-mid-stream') {
    res.write(events.slice(0, 2).join(''));
    if (scenario.kind === 'drop-mid-stream') setTimeout(() => res.socket?.destroy(), 20);
    return;
  }
  res.end(events.join(''));
}

export async function startFakeLlmUpstream(apiKey: string): Promise<FakeLlmUpstream> {
  const requests: RecordedRequest[] = [];
  const problems: string[] = [];
  const queue: Scenario[] = [];
  const waiters: (() => void)[] = [];
  let closedEarly = 0;

  const handle = (req: IncomingMessage, raw: Buffer, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const parsed = parseJson(raw);
    const body = isRecord(parsed) ? parsed : {};
    requests.push({ path, headers: req.headers, body: parsed });
    res.on('close', () => {
      if (res.writableFinished) return;
      closedEarly++;
      waiters.splice(0).forEach((wake) => wake());
    });
    const checks = routes[path];
    const answer = answers[path];
    if (req.method !== 'POST' || checks === undefined || answer === undefined) {
      problems.push(`${req.method ?? '?'} ${path}: no such route`);
      sendJson(res, 404, { error: { type: 'not_found_error', message: 'not found' } });
      return;
    }
    const found = checks.flatMap((check) => check(req, body, apiKey)).map((p) => `${path}: ${p}`);
    if (found.length > 0) {
      problems.push(...found);
      sendJson(res, 400, { error: { type: 'invalid_request_error', message: found.join('; ') } });
      return;
    }
    const scenario = queue.shift() ?? { kind: 'ok' };
    if (scenario.kind === 'hang') return;
    if (scenario.kind === 'status') {
      sendJson(
        res,
        scenario.status,
        scenario.body ?? { error: { type: 'error', message: `fake ${scenario.status}` } },
        scenario.headers,
      );
      return;
    }
    const model = typeof body['model'] === 'string' ? body['model'] : '';
    if (body['stream'] === true && answer.events !== undefined)
      stream(res, answer.events(model), scenario);
    else sendJson(res, 200, answer.json(model));
  };

  const server: Listening = await listen(handle);
  return {
    anthropicBaseUrl: server.url,
    openaiBaseUrl: `${server.url}/v1`,
    requests,
    problems,
    get closedEarly() {
      return closedEarly;
    },
    script: (...scenarios) => queue.push(...scenarios),
    clientClosed: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () => server.close(),
  };
}

/**
 * Where each operation goes and how it authenticates, per the providers'
 * API references: Anthropic takes `x-api-key` and a pinned
 * `anthropic-version`; OpenAI takes a Bearer token. The key is turned into
 * a header value here and nowhere else.
 */
import type { Operation, ProviderRequest } from './types.js';

export const ANTHROPIC_VERSION = '2023-06-01';

const paths: Readonly<Record<Operation, string>> = {
  'anthropic.messages': '/v1/messages',
  'openai.chat_completions': '/chat/completions',
  'openai.responses': '/responses',
  'openai.embeddings': '/embeddings',
};

export function upstreamUrl(request: Pick<ProviderRequest, 'baseUrl' | 'operation'>): string {
  return `${request.baseUrl.replace(/\/+$/, '')}${paths[request.operation]}`;
}

export function upstreamHeaders(
  request: Pick<ProviderRequest, 'operation' | 'apiKey'>,
  isStream: boolean,
): Record<string, string> {
  const key = typeof request.apiKey === 'string' ? request.apiKey : request.apiKey.toString('utf8');
  const accept = isStream ? 'text/event-stream' : 'application/json';
  if (request.operation === 'anthropic.messages') {
    return {
      'content-type': 'application/json',
      accept,
      'x-api-key': key,
      'anthropic-version': ANTHROPIC_VERSION,
    };
  }
  return { 'content-type': 'application/json', accept, authorization: `Bearer ${key}` };
}

/**
 * The body sent: the caller's, with the resolved model, and for an OpenAI
 * chat stream `stream_options.include_usage` on, since without its final
 * usage chunk a stream could not be metered.
 */
export function upstreamBody(request: ProviderRequest, isStream: boolean): string {
  const body: Record<string, unknown> = { ...request.body, model: request.model };
  if (isStream && request.operation === 'openai.chat_completions') {
    const options = body['stream_options'];
    body['stream_options'] = {
      ...(typeof options === 'object' && options !== null ? options : {}),
      include_usage: true,
    };
  }
  return JSON.stringify(body);
}

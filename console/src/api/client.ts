/**
 * The console's only door to the server: the public HTTP API under /api/v1,
 * same origin, with the session cookie. Changing requests carry the CSRF
 * token the server handed out (sign-in or GET /me). Feature files in this
 * folder (account.ts, …) call `api` and export typed functions for pages.
 */

/** An answer that was not a success: the API's stable error code, or a transport failure. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;

/** Remembers (or forgets) the session's CSRF token, sent on every changing request. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError('network', 0, 'The server could not be reached');
  }
  const text = await res.text();
  const json: unknown = text === '' ? undefined : safeParse(text);
  if (!res.ok) {
    const error = (json as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof error?.code === 'string' ? error.code : 'http_' + String(res.status);
    const message = typeof error?.message === 'string' ? error.message : res.statusText;
    throw new ApiError(code, res.status, message);
  }
  return json as T;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Typed calls to `/api/v1<path>`; a path segment from user data must go through `seg`. */
export const api = {
  get: <T>(path: string): Promise<T> => request<T>('GET', path),
  post: <T>(path: string, body?: unknown): Promise<T> => request<T>('POST', path, body),
  put: <T>(path: string, body?: unknown): Promise<T> => request<T>('PUT', path, body),
  patch: <T>(path: string, body?: unknown): Promise<T> => request<T>('PATCH', path, body),
  delete: <T>(path: string): Promise<T> => request<T>('DELETE', path),
};

/** One path segment, escaped (ids come from the server, but never trust a string into a URL). */
export const seg = (value: string): string => encodeURIComponent(value);

/** A query string from defined, non-empty values: `?a=1&b=x` or ''. */
export function query(params: Readonly<Record<string, string | number | undefined>>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** One server-sent event: its name and its JSON data. */
export interface StreamEvent {
  readonly event: string;
  readonly data: unknown;
}

/**
 * POSTs JSON and reads a `text/event-stream` answer as it arrives, handing
 * each event to `onEvent`; an error answer (JSON) throws ApiError like `api`.
 * Resolves when the stream ends.
 */
export async function postStream(
  path: string,
  body: unknown,
  onEvent: (event: StreamEvent) => void,
  signal?: AbortSignal,
): Promise<void> {
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    'content-type': 'application/json',
  };
  if (csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method: 'POST',
      headers,
      credentials: 'same-origin',
      body: JSON.stringify(body),
      ...(signal === undefined ? {} : { signal }),
    });
  } catch {
    throw new ApiError('network', 0, 'The server could not be reached');
  }
  if (!res.ok || res.body === null) {
    const json = safeParse(await res.text()) as
      { error?: { code?: unknown; message?: unknown } } | undefined;
    const code = typeof json?.error?.code === 'string' ? json.error.code : `http_${res.status}`;
    const message = typeof json?.error?.message === 'string' ? json.error.message : res.statusText;
    throw new ApiError(code, res.status, message);
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw new ApiError('network', 0, 'The connection was lost');
    }
    if (chunk.done) break;
    buffered += decoder.decode(chunk.value, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const frame = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const lines = frame.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      onEvent({ event, data: safeParse(data) });
      end = buffered.indexOf('\n\n');
    }
  }
}

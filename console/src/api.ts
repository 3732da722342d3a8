/**
 * The console's only door to the server: the public HTTP API under /api/v1,
 * same origin, with the session cookie. Changing requests carry the CSRF
 * token the server handed out (sign-in or GET /me).
 */

export interface User {
  readonly id: string;
  readonly email: string;
  readonly display_name?: string | null;
}

export interface Membership {
  readonly workspace_id: string;
  readonly workspace_name: string;
  readonly role: string;
  readonly named_roles: readonly string[];
}

export interface Me {
  readonly user: User;
  readonly memberships: readonly Membership[];
  readonly csrf_token: string;
}

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

export async function startEmailSignIn(email: string): Promise<void> {
  await request('POST', '/auth/email/start', { email });
}

export async function verifyEmailCode(email: string, code: string): Promise<void> {
  const res = await request<{ csrf_token: string }>('POST', '/auth/email/verify', { email, code });
  csrfToken = res.csrf_token;
}

/** The signed-in person, or undefined when there is no session. */
export async function fetchMe(): Promise<Me | undefined> {
  try {
    const me = await request<Me>('GET', '/me');
    csrfToken = me.csrf_token;
    return me;
  } catch (error) {
    // No session: 401. A server without sign-in has no /me at all (404): nobody is signed in.
    if (error instanceof ApiError && (error.code === 'unauthenticated' || error.status === 404)) {
      return undefined;
    }
    throw error;
  }
}

export async function signOut(): Promise<void> {
  await request('POST', '/auth/sign-out');
  csrfToken = undefined;
}

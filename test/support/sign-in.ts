/**
 * Signing in through the HTTP routes, as a browser would: start, the code
 * from the recorder, verify; then the session cookie and CSRF token for
 * later requests.
 */
import type { TestApp } from './app.js';

export interface Browser {
  readonly cookie: string;
  readonly csrf: string;
  readonly userId: string;
  /** Headers of a same-origin change: cookie, CSRF token and Origin. */
  readonly write: Record<string, string>;
}

export const ORIGIN = 'http://localhost';

/** The `name=value` of a Set-Cookie header. */
export function cookiePair(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  if (header === undefined) throw new Error('no set-cookie');
  return header.split(';')[0] ?? '';
}

export async function signIn(t: TestApp, email: string): Promise<Browser> {
  const start = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/email/start',
    payload: { email },
  });
  if (start.statusCode !== 202) throw new Error(`start: ${start.statusCode} ${start.body}`);
  const code = await t.codes.next(email);
  const verify = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/email/verify',
    payload: { email, code },
  });
  if (verify.statusCode !== 200) throw new Error(`verify: ${verify.statusCode} ${verify.body}`);
  const body = verify.json<{ user: { id: string }; csrf_token: string }>();
  const cookie = cookiePair(verify.headers['set-cookie']);
  return {
    cookie,
    csrf: body.csrf_token,
    userId: body.user.id,
    write: { cookie, 'x-csrf-token': body.csrf_token, origin: ORIGIN },
  };
}

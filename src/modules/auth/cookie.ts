/**
 * The session cookie. Served over TLS (directly, or behind a trusted proxy
 * that says so) it is `__Host-wardroom_session`: Secure, HttpOnly,
 * SameSite=Lax, Path=/ and no Domain, so no other host or path can set or
 * read it. Browsers refuse a `__Host-` (or any Secure) cookie from plain
 * http on a non-loopback host, and Wardroom serves plain http only on
 * loopback (api/tls.ts), so over plain http the cookie is
 * `wardroom_session`, the same but without Secure, and that name is
 * honoured only on plain-http requests.
 */
export const SESSION_COOKIE = '__Host-wardroom_session';
export const PLAIN_HTTP_SESSION_COOKIE = 'wardroom_session';

function cookieName(secure: boolean): string {
  return secure ? SESSION_COOKIE : PLAIN_HTTP_SESSION_COOKIE;
}

function attributes(secure: boolean): string {
  return `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export function setSessionCookie(token: string, secure: boolean, maxAgeSeconds: number): string {
  return `${cookieName(secure)}=${token}; Max-Age=${maxAgeSeconds}; ${attributes(secure)}`;
}

export function clearSessionCookie(secure: boolean): string {
  return `${cookieName(secure)}=; Max-Age=0; ${attributes(secure)}`;
}

/** The session token of a Cookie header, if it carries one under the name this request may use. */
export function readSessionCookie(header: string | undefined, secure: boolean): string | undefined {
  if (header === undefined) return undefined;
  const names = secure ? [SESSION_COOKIE] : [SESSION_COOKIE, PLAIN_HTTP_SESSION_COOKIE];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (names.includes(name)) return part.slice(eq + 1).trim();
  }
  return undefined;
}

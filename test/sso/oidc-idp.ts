/**
 * A real OpenID provider (oidc-provider) in the test process, on a free
 * loopback port, with a key pair generated here. Its login step is
 * automatic: the next sign-in is as `idp.nextLogin` (an account of
 * `idp.accounts`). `idp.tamper` may rewrite the ID token its token endpoint
 * returns, re-signed with its own key or another (the attacks the client
 * must catch: wrong issuer, audience, expiry, nonce, signature).
 * `authorize` plays the browser between Wardroom's start redirect and its
 * callback, with a cookie jar.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

export interface IdpAccount {
  email: string;
  email_verified: boolean;
}

export interface TestIdp {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accounts: Map<string, IdpAccount>;
  nextLogin: string;
  tamper: ((claims: JWTPayload) => JWTPayload) | undefined;
  /** Sign tampered tokens with a key the IdP does not publish. */
  foreignKey: boolean;
  /** Follows the IdP's redirects from `startUrl` to the redirect URI; returns that URL. */
  authorize(startUrl: string): Promise<URL>;
  close(): Promise<void>;
}

function keyPair(kid: string) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

export async function startIdp(redirectUris: string[]): Promise<TestIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signing = keyPair('idp-key');
  const other = keyPair('idp-key');
  const clientId = `wardroom-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, IdpAccount>();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [signing] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    ttl: {
      AuthorizationCode: 60,
      AccessToken: 600,
      IdToken: 600,
      Interaction: 600,
      Grant: 600,
      Session: 600,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (account === undefined) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
  });
  const idp: TestIdp = {
    issuer,
    clientId,
    clientSecret,
    accounts,
    nextLogin: '',
    tamper: undefined,
    foreignKey: false,
    authorize: (startUrl) => followToRedirectUri(startUrl, redirectUris),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith('/interaction/')) {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      const grant = new provider.Grant({
        accountId: idp.nextLogin,
        clientId: String(details.params['client_id']),
      });
      grant.addOIDCScope('openid email profile');
      const grantId = await grant.save();
      const to = await provider.interactionResult(
        ctx.req,
        ctx.res,
        { login: { accountId: idp.nextLogin }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      ctx.status = 303;
      ctx.redirect(to);
      return;
    }
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === '/token' && idp.tamper !== undefined && typeof body?.id_token === 'string') {
      const claims = idp.tamper(decodeJwt(body.id_token));
      const key = await importJWK(idp.foreignKey ? other : signing, 'RS256');
      body.id_token = await new SignJWT(claims)
        .setProtectedHeader(decodeProtectedHeader(body.id_token) as { alg: string })
        .sign(key);
    }
  });
  const handle = provider.callback();
  server.on('request', (req, res) => void handle(req, res));
  return idp;
}

/** A browser between the start redirect and the redirect URI: follows 30x, keeps cookies. */
async function followToRedirectUri(startUrl: string, redirectUris: string[]): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(startUrl);
  for (let hop = 0; hop < 10; hop += 1) {
    if (redirectUris.some((r) => url.href.startsWith(r))) return url;
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = (pair ?? '').indexOf('=');
      if (eq > 0) jar.set((pair ?? '').slice(0, eq), (pair ?? '').slice(eq + 1));
    }
    const location = res.headers.get('location');
    if (location === null)
      throw new Error(`IdP stopped at ${url.href}: ${res.status} ${await res.text()}`);
    url = new URL(location, url);
  }
  throw new Error('too many redirects');
}

import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inResponseToOf } from './saml.js';
import { createConnectionBody, isAllowedIdpUrl, toPem } from './schemas.js';

describe('IdP URLs', () => {
  it('takes https anywhere and http on loopback only', () => {
    expect(isAllowedIdpUrl('https://acme.okta.com')).toBe(true);
    expect(isAllowedIdpUrl('http://127.0.0.1:9000')).toBe(true);
    expect(isAllowedIdpUrl('http://localhost/idp')).toBe(true);
    expect(isAllowedIdpUrl('http://acme.okta.com')).toBe(false);
    expect(isAllowedIdpUrl('https://user:pw@acme.okta.com')).toBe(false);
    expect(isAllowedIdpUrl('javascript:alert(1)')).toBe(false);
    expect(isAllowedIdpUrl('not a url')).toBe(false);
  });
});

describe('certificates', () => {
  it('refuses what is not an X.509 certificate, even well-formed base64', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    expect(toPem(spki)).toBeUndefined();
    expect(toPem('not base64 at all!')).toBeUndefined();
  });
});

describe('connection bodies', () => {
  const oidc = {
    kind: 'oidc',
    name: 'Okta',
    issuer: 'https://acme.okta.com',
    client_id: 'x',
    client_secret: 'y',
    allowed_domains: ['Acme.COM'],
  };
  it('lower-cases domains and defaults enabled and jit_role', () => {
    expect(createConnectionBody.parse(oidc)).toMatchObject({
      allowed_domains: ['acme.com'],
      enabled: true,
      jit_role: null,
    });
  });
  it('refuses a field of the other kind, an owner jit_role and a bad domain', () => {
    for (const bad of [
      { ...oidc, idp_sso_url: 'https://x.test' },
      { ...oidc, jit_role: 'owner' },
      { ...oidc, allowed_domains: ['*.acme.com'] },
      { ...oidc, allowed_domains: ['acme'] },
    ]) {
      expect(createConnectionBody.safeParse(bad).success).toBe(false);
    }
  });
});

describe('the request a SAML response answers', () => {
  const b64 = (xml: string) => Buffer.from(xml).toString('base64');
  it('is the InResponseTo of the root Response element only', () => {
    expect(
      inResponseToOf(b64('<samlp:Response ID="r" InResponseTo="_abc"><x/></samlp:Response>')),
    ).toBe('_abc');
    expect(inResponseToOf(b64('<Response InResponseTo="_plain"/>'))).toBe('_plain');
    // An InResponseTo deeper in the document does not count.
    expect(
      inResponseToOf(b64('<samlp:Response ID="r"><a InResponseTo="_deep"/></samlp:Response>')),
    ).toBeUndefined();
    expect(inResponseToOf(b64('no xml'))).toBeUndefined();
  });
});

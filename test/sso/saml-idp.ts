/**
 * A SAML identity provider made in the test: an RSA key pair and a
 * self-signed certificate (openssl, in a temporary folder), and responses
 * whose assertion is signed with xml-crypto, as an IdP's are. Every part of
 * a response can be set, so tests can send what an attacker would: no
 * signature, another key, a changed assertion, another audience, an
 * expired assertion, someone else's request id.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

export interface IdpKeys {
  readonly key: string;
  readonly cert: string;
}

export function makeIdpKeys(cn = 'wardroom-test-idp'): IdpKeys {
  const dir = mkdtempSync(path.join(tmpdir(), 'wardroom-saml-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The request id of the AuthnRequest in an HTTP-Redirect URL. */
export function requestIdOf(redirect: string): string {
  const request = new URL(redirect).searchParams.get('SAMLRequest') ?? '';
  const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (id === undefined) throw new Error(`no request id in ${xml}`);
  return id;
}

export interface AssertionParts {
  readonly issuer: string;
  readonly email: string;
  readonly audience: string;
  readonly acs: string;
  /** Written into the assertion's SubjectConfirmationData (omit: none). */
  readonly inResponseTo?: string | undefined;
  readonly notOnOrAfter?: Date;
  readonly id?: string;
}

const iso = (d: Date) => d.toISOString();

export function assertionXml(parts: AssertionParts): string {
  const now = new Date();
  const until = parts.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000);
  const id = parts.id ?? `_a${randomBytes(12).toString('hex')}`;
  const confirm = parts.inResponseTo === undefined ? '' : ` InResponseTo="${parts.inResponseTo}"`;
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${parts.issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${parts.email}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${iso(until)}" Recipient="${parts.acs}"${confirm}/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(new Date(now.getTime() - 60_000))}" NotOnOrAfter="${iso(until)}">` +
    `<saml:AudienceRestriction><saml:Audience>${parts.audience}</saml:Audience></saml:AudienceRestriction>` +
    `</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="_s${randomBytes(6).toString('hex')}">` +
    `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
    `</saml:AuthnStatement></saml:Assertion>`
  );
}

/** The assertion, signed (enveloped, exclusive c14n, RSA-SHA256) with `keys`. */
export function signAssertion(assertion: string, keys: IdpKeys): string {
  const sig = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(assertion, {
    location: { reference: "//*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

/** A (unsigned) Response around an assertion, base64 as the HTTP-POST binding sends it. */
export function responseFor(
  assertion: string,
  parts: { issuer: string; acs: string; inResponseTo: string },
): string {
  const xml =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="_r${randomBytes(12).toString('hex')}" Version="2.0" IssueInstant="${iso(new Date())}" ` +
    `Destination="${parts.acs}" InResponseTo="${parts.inResponseTo}">` +
    `<saml:Issuer>${parts.issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`;
  return Buffer.from(xml, 'utf8').toString('base64');
}

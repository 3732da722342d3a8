/**
 * What an admin may send about an SSO connection, and what every answer
 * shows of one. The OIDC client secret goes in and never comes out: the
 * view says only whether it is set and its last four characters.
 */
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';

export const SSO_KINDS = ['oidc', 'saml'] as const;
export type SsoKind = (typeof SSO_KINDS)[number];

/** Roles a just-in-time membership may get: never owner. */
export const JIT_ROLES = ['admin', 'member', 'viewer'] as const;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback host only (a development IdP on this machine). */
export function isAllowedIdpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  } catch {
    return false;
  }
}

const idpUrl = z
  .string()
  .max(2048)
  .refine(isAllowedIdpUrl, 'must be an https URL (http only on a loopback host)');

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'a domain name');

/** A PEM certificate (or its base64 body), checked by parsing it; stored as PEM. */
export const certificate = z
  .string()
  .max(16_384)
  .transform((value, ctx) => {
    const pem = toPem(value);
    if (pem === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be an X.509 certificate (PEM or base64)' });
      return z.NEVER;
    }
    return pem;
  });

export function toPem(value: string): string | undefined {
  const body = value.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined;
  const lines = body.match(/.{1,64}/g) ?? [];
  const pem = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
    return pem;
  } catch {
    return undefined;
  }
}

const common = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean().default(true),
  allowed_domains: z.array(domain).min(1).max(50),
  jit_role: z.enum(JIT_ROLES).nullable().default(null),
};

const oidcFields = {
  issuer: idpUrl,
  client_id: z.string().min(1).max(512),
  client_secret: z.string().min(1).max(4096),
};

const samlFields = {
  idp_entity_id: z.string().min(1).max(2048),
  idp_sso_url: idpUrl,
  idp_certificates: z.array(certificate).min(1).max(5),
};

export const createConnectionBody = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('oidc'), ...common, ...oidcFields }),
  z.strictObject({ kind: z.literal('saml'), ...common, ...samlFields }),
]);
export type CreateConnectionInput = z.infer<typeof createConnectionBody>;

/** A change: any field of either kind; those of the other kind are refused. */
export const updateConnectionBody = z
  .strictObject({
    name: common.name,
    enabled: z.boolean(),
    allowed_domains: common.allowed_domains,
    jit_role: z.enum(JIT_ROLES).nullable(),
    ...oidcFields,
    ...samlFields,
  })
  .partial();
export type UpdateConnectionInput = z.infer<typeof updateConnectionBody>;

export const connectionView = z.object({
  id: z.string(),
  kind: z.enum(SSO_KINDS),
  name: z.string(),
  enabled: z.boolean(),
  allowed_domains: z.array(z.string()),
  jit_role: z.enum(JIT_ROLES).nullable(),
  oidc: z
    .object({
      issuer: z.string(),
      client_id: z.string(),
      client_secret: z.object({ set: z.literal(true), last4: z.string().nullable() }),
    })
    .nullable(),
  saml: z
    .object({
      idp_entity_id: z.string(),
      idp_sso_url: z.string(),
      idp_certificates: z.array(
        z.object({ subject: z.string(), not_after: z.string(), sha256: z.string() }),
      ),
    })
    .nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type ConnectionView = z.infer<typeof connectionView>;

export const policyView = z.object({ require_sso: z.boolean() });

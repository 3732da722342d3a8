/**
 * The credential kinds, the providers each kind allows, and the shape of each
 * kind's secret (zod, strict). The secret of an `oauth` credential is a token
 * set; every other kind holds one opaque `value`. The primary value (the
 * access token, or the value) is what the fingerprint and last4 describe.
 *
 * No schema here ever echoes an input value in its error messages: zod's own
 * messages name the rule, not the input, and the custom ones below are fixed
 * strings.
 */
import { z } from 'zod';

export const CREDENTIAL_KINDS = [
  'oauth',
  'webhook_api_key',
  'mcp_client',
  'whatsapp_token',
  'llm_api_key',
] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** Kept in step with the CHECK constraint in migrations/003_credentials.sql. */
export const PROVIDERS = {
  oauth: ['notion', 'google', 'slack', 'meta', 'custom'],
  webhook_api_key: ['custom'],
  mcp_client: ['notion', 'google', 'slack', 'meta', 'custom'],
  whatsapp_token: ['whatsapp'],
  llm_api_key: ['anthropic', 'openai'],
} as const satisfies Record<CredentialKind, readonly string[]>;
export type Provider = (typeof PROVIDERS)[CredentialKind][number];

/** A secret string: 8 to 8192 characters, no whitespace or control characters. */
const secretString = z
  .string()
  .min(8)
  .max(8192)
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain whitespace or control characters');

export const oauthSecret = z.strictObject({
  access_token: secretString,
  refresh_token: secretString.optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
  scopes: z.array(z.string().min(1).max(200)).max(100).optional(),
});
export const valueSecret = z.strictObject({ value: secretString });

export type OauthSecret = z.infer<typeof oauthSecret>;
export type ValueSecret = z.infer<typeof valueSecret>;
export type CredentialSecret = OauthSecret | ValueSecret;

/** The secret type of each kind. */
export interface SecretOf {
  oauth: OauthSecret;
  webhook_api_key: ValueSecret;
  mcp_client: ValueSecret;
  whatsapp_token: ValueSecret;
  llm_api_key: ValueSecret;
}

/** Known key prefixes of LLM providers; a key without it is refused before it is stored. */
const LLM_KEY_PREFIX: Readonly<Record<string, string>> = {
  anthropic: 'sk-ant-',
  openai: 'sk-',
};

export function secretSchemaFor(kind: CredentialKind): typeof oauthSecret | typeof valueSecret {
  return kind === 'oauth' ? oauthSecret : valueSecret;
}

export function primaryValue(secret: CredentialSecret): string {
  return 'access_token' in secret ? secret.access_token : secret.value;
}

/**
 * Checks a provider against a kind and a secret against both. Returns the
 * problem as a fixed message (never containing the secret), or undefined.
 */
export function secretProblem(
  kind: CredentialKind,
  provider: string,
  secret: CredentialSecret,
): string | undefined {
  if (!(PROVIDERS[kind] as readonly string[]).includes(provider)) {
    return `provider must be one of ${PROVIDERS[kind].join(', ')} for kind ${kind}`;
  }
  if (!secretSchemaFor(kind).safeParse(secret).success) {
    return kind === 'oauth'
      ? 'secret must be {access_token, refresh_token?, expires_at?, scopes?} for kind oauth'
      : `secret must be {value} for kind ${kind}`;
  }
  const prefix = kind === 'llm_api_key' ? LLM_KEY_PREFIX[provider] : undefined;
  if (prefix !== undefined && !primaryValue(secret).startsWith(prefix)) {
    return `${provider} API keys start with ${prefix}`;
  }
  return undefined;
}

const label = z.string().trim().min(1).max(200);
const variant = <K extends CredentialKind>(kind: K) =>
  z.strictObject({
    kind: z.literal(kind),
    provider: z.enum(PROVIDERS[kind]),
    label,
    secret: kind === 'oauth' ? oauthSecret : valueSecret,
  });

/** The body of POST .../credentials: one strict variant per kind. */
export const createCredentialBody = z.discriminatedUnion('kind', [
  variant('oauth'),
  variant('webhook_api_key'),
  variant('mcp_client'),
  variant('whatsapp_token'),
  variant('llm_api_key'),
]);
export type CreateCredentialBody = z.infer<typeof createCredentialBody>;

/** The body of PUT .../credentials/{id}: a new secret of the credential's own kind. */
export const replaceCredentialBody = z.strictObject({
  secret: z.union([oauthSecret, valueSecret]),
});

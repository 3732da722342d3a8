/**
 * SSO connections of a workspace: create, list, get, change, delete, and
 * the one reader of a connection with its client secret opened, for the
 * sign-in flows. The OIDC client secret is sealed under the workspace key,
 * bound to (workspace, sso_connections, oidc_client_secret, id); it is
 * never selected by the admin queries. Every change is audited by the
 * table's triggers (column names only, never values).
 */
import { X509Certificate } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { AppError } from '../../base/errors.js';
import { principalOf, type TenantTx } from '../../db/tenant-tx.js';
import type { Keyring } from '../keys/index.js';
import type {
  ConnectionView,
  CreateConnectionInput,
  SsoKind,
  UpdateConnectionInput,
} from './schemas.js';

const secretRef = (id: string) => ({
  table: 'sso_connections',
  column: 'oidc_client_secret',
  rowId: id,
  bound: [],
});

const VIEW_COLUMNS = [
  'id',
  'kind',
  'name',
  'enabled',
  'allowed_domains',
  'jit_role',
  'oidc_issuer',
  'oidc_client_id',
  'oidc_client_secret_last4',
  'saml_idp_entity_id',
  'saml_idp_sso_url',
  'saml_idp_certificates',
  'created_at',
  'updated_at',
] as const;

interface ViewRow {
  id: string;
  kind: SsoKind;
  name: string;
  enabled: boolean;
  allowed_domains: string[];
  jit_role: string | null;
  oidc_issuer: string | null;
  oidc_client_id: string | null;
  oidc_client_secret_last4: string | null;
  saml_idp_entity_id: string | null;
  saml_idp_sso_url: string | null;
  saml_idp_certificates: string[] | null;
  created_at: Date;
  updated_at: Date;
}

function describeCertificate(pem: string) {
  const cert = new X509Certificate(pem);
  return {
    subject: cert.subject.replace(/\n/g, ', '),
    not_after: new Date(cert.validTo).toISOString(),
    sha256: cert.fingerprint256,
  };
}

function toView(row: ViewRow): ConnectionView {
  const jit = row.jit_role === 'admin' || row.jit_role === 'member' || row.jit_role === 'viewer';
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    enabled: row.enabled,
    allowed_domains: row.allowed_domains,
    jit_role: jit ? (row.jit_role as 'admin' | 'member' | 'viewer') : null,
    oidc:
      row.kind === 'oidc'
        ? {
            issuer: row.oidc_issuer ?? '',
            client_id: row.oidc_client_id ?? '',
            client_secret: { set: true, last4: row.oidc_client_secret_last4 },
          }
        : null,
    saml:
      row.kind === 'saml'
        ? {
            idp_entity_id: row.saml_idp_entity_id ?? '',
            idp_sso_url: row.saml_idp_sso_url ?? '',
            idp_certificates: (row.saml_idp_certificates ?? []).map(describeCertificate),
          }
        : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** Last four characters, kept only for secrets of 16 or more (never over a quarter). */
function last4(secret: string): string | null {
  return secret.length >= 16 ? secret.slice(-4) : null;
}

async function sealClientSecret(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  id: string,
  secret: string,
): Promise<Buffer> {
  const plaintext = Buffer.from(secret, 'utf8');
  try {
    return await keyring.seal(tx, secretRef(id), plaintext);
  } finally {
    plaintext.fill(0);
  }
}

export function notFound(): AppError {
  return new AppError('not_found', 'SSO connection not found');
}

export async function createConnection(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  input: CreateConnectionInput,
): Promise<ConnectionView> {
  const id = uuidv7();
  const base = {
    tenant_id: principalOf(tx).tenantId,
    id,
    name: input.name,
    enabled: input.enabled,
    allowed_domains: [...new Set(input.allowed_domains)],
    jit_role: input.jit_role,
  };
  const kindFields =
    input.kind === 'oidc'
      ? {
          kind: 'oidc' as const,
          oidc_issuer: input.issuer,
          oidc_client_id: input.client_id,
          oidc_client_secret: await sealClientSecret(tx, keyring, id, input.client_secret),
          oidc_client_secret_last4: last4(input.client_secret),
        }
      : {
          kind: 'saml' as const,
          saml_idp_entity_id: input.idp_entity_id,
          saml_idp_sso_url: input.idp_sso_url,
          saml_idp_certificates: input.idp_certificates,
        };
  const row = await tx
    .insertInto('sso_connections')
    .values({ ...base, ...kindFields })
    .returning(VIEW_COLUMNS)
    .executeTakeFirstOrThrow();
  return toView(row);
}

export async function listConnections(tx: TenantTx): Promise<ConnectionView[]> {
  const rows = await tx
    .selectFrom('sso_connections')
    .select(VIEW_COLUMNS)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toView);
}

export async function getConnection(tx: TenantTx, id: string): Promise<ConnectionView> {
  const row = await tx
    .selectFrom('sso_connections')
    .select(VIEW_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw notFound();
  return toView(row);
}

const OIDC_ONLY = ['issuer', 'client_id', 'client_secret'] as const;
const SAML_ONLY = ['idp_entity_id', 'idp_sso_url', 'idp_certificates'] as const;

/** Changes the fields given; a field of the other kind is `validation_failed`. */
export async function updateConnection(
  tx: TenantTx,
  keyring: Pick<Keyring, 'seal'>,
  id: string,
  input: UpdateConnectionInput,
): Promise<ConnectionView> {
  const current = await getConnection(tx, id);
  const foreign = current.kind === 'oidc' ? SAML_ONLY : OIDC_ONLY;
  const wrong = foreign.filter((f) => input[f] !== undefined);
  if (wrong.length > 0) {
    throw new AppError(
      'validation_failed',
      `A ${current.kind} connection has no ${wrong.join(', ')}`,
    );
  }
  const secret =
    input.client_secret === undefined
      ? {}
      : {
          oidc_client_secret: await sealClientSecret(tx, keyring, id, input.client_secret),
          oidc_client_secret_last4: last4(input.client_secret),
        };
  const row = await tx
    .updateTable('sso_connections')
    .set({
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.enabled === undefined ? {} : { enabled: input.enabled }),
      ...(input.allowed_domains === undefined
        ? {}
        : { allowed_domains: [...new Set(input.allowed_domains)] }),
      ...(input.jit_role === undefined ? {} : { jit_role: input.jit_role }),
      ...(input.issuer === undefined ? {} : { oidc_issuer: input.issuer }),
      ...(input.client_id === undefined ? {} : { oidc_client_id: input.client_id }),
      ...secret,
      ...(input.idp_entity_id === undefined ? {} : { saml_idp_entity_id: input.idp_entity_id }),
      ...(input.idp_sso_url === undefined ? {} : { saml_idp_sso_url: input.idp_sso_url }),
      ...(input.idp_certificates === undefined
        ? {}
        : { saml_idp_certificates: input.idp_certificates }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning(VIEW_COLUMNS)
    .executeTakeFirst();
  if (row === undefined) throw notFound();
  return toView(row);
}

export async function deleteConnection(tx: TenantTx, id: string): Promise<void> {
  const deleted = await tx
    .deleteFrom('sso_connections')
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (deleted === undefined) throw notFound();
}

/** A connection as the sign-in flows need it: enabled, with its client secret opened. */
export type LiveConnection =
  | {
      readonly kind: 'oidc';
      readonly id: string;
      readonly allowedDomains: readonly string[];
      readonly jitRole: 'admin' | 'member' | 'viewer' | null;
      readonly issuer: string;
      readonly clientId: string;
      readonly clientSecret: string;
    }
  | {
      readonly kind: 'saml';
      readonly id: string;
      readonly allowedDomains: readonly string[];
      readonly jitRole: 'admin' | 'member' | 'viewer' | null;
      readonly idpEntityId: string;
      readonly idpSsoUrl: string;
      readonly idpCertificates: readonly string[];
    };

/** The enabled connection `id` of the transaction's workspace; `sso_not_configured` otherwise. */
export async function loadLiveConnection(
  tx: TenantTx,
  keyring: Pick<Keyring, 'open'>,
  id: string,
): Promise<LiveConnection> {
  const row = await tx
    .selectFrom('sso_connections')
    .selectAll()
    .where('id', '=', id)
    .where('enabled', '=', true)
    .executeTakeFirst();
  if (row === undefined) {
    throw new AppError('sso_not_configured', 'No enabled SSO connection for this sign-in');
  }
  const view = toView(row);
  const common = { id, allowedDomains: row.allowed_domains, jitRole: view.jit_role };
  if (row.kind === 'saml') {
    return {
      kind: 'saml',
      ...common,
      idpEntityId: row.saml_idp_entity_id ?? '',
      idpSsoUrl: row.saml_idp_sso_url ?? '',
      idpCertificates: row.saml_idp_certificates ?? [],
    };
  }
  if (row.oidc_client_secret === null) throw notFound();
  const opened = await keyring.open(tx, secretRef(id), row.oidc_client_secret);
  const clientSecret = opened.toString('utf8');
  opened.fill(0);
  return {
    kind: 'oidc',
    ...common,
    issuer: row.oidc_issuer ?? '',
    clientId: row.oidc_client_id ?? '',
    clientSecret,
  };
}

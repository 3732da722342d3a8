/**
 * The allowlist of tables in schema `wardroom` that are NOT tenant tables.
 * Every other table there must carry `tenant_id` and the full set of tenant
 * policies; `wardroom db check` (db/check.ts) enforces both this list's modes
 * and the tenant rules. Adding a table here is a security decision: it needs
 * a reason a reviewer can judge, and the narrowest mode that works.
 *
 * Modes:
 * - `global_rls`: shared across tenants, but RLS must be ENABLE + FORCE and the
 *   app role may hold at most `appPrivileges`.
 * - `no_app_access`: the app role holds no privilege at all on it (nor on its
 *   sequences); exempt from RLS because only the owner touches it.
 */

export type GlobalTableMode = 'global_rls' | 'no_app_access';

export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'REFERENCES' | 'TRIGGER';

export interface GlobalTable {
  /** Unqualified table name in schema `wardroom`. */
  readonly name: string;
  readonly mode: GlobalTableMode;
  readonly reason: string;
  /** For `global_rls`: the only privileges the app role may hold. */
  readonly appPrivileges: readonly TablePrivilege[];
}

export const GLOBAL_TABLES: readonly GlobalTable[] = [
  {
    name: 'users',
    mode: 'global_rls',
    reason:
      'Global identity: one person belongs to many workspaces. RLS is enabled and forced; the app ' +
      'sees only the id and email of members of the current workspace (column grants; profiles ' +
      'live on memberships) and writes only via wardroom.ensure_user().',
    appPrivileges: ['SELECT'],
  },
  {
    name: 'sign_in_codes',
    mode: 'no_app_access',
    reason:
      "A person's pending email sign-in code (one row per user, global like users): only its " +
      'HMAC, expiry and attempt count. The app role holds nothing on it; it is reached only ' +
      'through wardroom.auth_start_code() and wardroom.auth_verify_code() (migration 013).',
    appPrivileges: [],
  },
  {
    name: 'sessions',
    mode: 'no_app_access',
    reason:
      "Browser sessions of a person across all their workspaces: only the token's SHA-256. The " +
      'app role holds nothing on it; it is reached only through wardroom.auth_verify_code(), ' +
      'auth_session() and auth_account(), which act only for the holder of a session secret.',
    appPrivileges: [],
  },
  {
    name: 'sso_flows',
    mode: 'no_app_access',
    reason:
      'Pending SSO sign-ins: they start before anyone is signed in and end at a callback that names ' +
      'no workspace, so they are keyed by the SHA-256 of their state or SAML request id, not by ' +
      'tenant. Nonce and PKCE verifier for ten minutes at most. The app role holds nothing on it; ' +
      'it is reached only through wardroom.sso_flow_begin(), sso_flow_take() and ' +
      'sso_flow_complete() (migration 015), each flow taken once and completed once.',
    appPrivileges: [],
  },
  {
    name: 'sso_saml_assertions',
    mode: 'no_app_access',
    reason:
      'SAML assertion ids already used, per IdP issuer, kept until their NotOnOrAfter so a replayed ' +
      'assertion is refused whichever workspace it is sent for. The app role holds nothing on it; ' +
      'it is reached only through wardroom.sso_assertion_record() (migration 015).',
    appPrivileges: [],
  },
  {
    name: 'privacy_suppressions',
    mode: 'no_app_access',
    reason:
      'Addresses that opted out of being held as contacts (issue 13): global because an opt-out ' +
      'covers every workspace, including ones made later. Only a keyed HMAC of the normalised ' +
      'address, never the address. The app role holds nothing on it; it is reached only through ' +
      'wardroom.privacy_optout_verify(), privacy_is_suppressed() (yes or no for one hash), ' +
      'privacy_suppression_take(), privacy_suppression_applied() and ' +
      'privacy_suppressions_pending() (migration 022).',
    appPrivileges: [],
  },
  {
    name: 'privacy_optout_codes',
    mode: 'no_app_access',
    reason:
      'Pending opt-out codes, keyed by the HMAC of the address (no account: anyone may opt an ' +
      "address out by proving they read its mail). Only the code's HMAC, expiry and attempt " +
      'count. The app role holds nothing on it; it is reached only through ' +
      'wardroom.privacy_optout_start() and privacy_optout_verify() (migration 022).',
    appPrivileges: [],
  },
  {
    name: 'audit_person_keys',
    mode: 'no_app_access',
    reason:
      "Each person's key for their personal data in the audit log (issue 13): global because a " +
      'person acts in many workspaces; 32 random bytes stored only wrapped by the master key. ' +
      'The app role holds nothing on it; it is reached only through wardroom.audit_person_key() ' +
      '(get, or create once), audit_person_keys_read() and audit_person_keys_erase(), the erasure ' +
      'of a deleted person (migration 026).',
    appPrivileges: [],
  },
  {
    name: 'scheduled_deletions',
    mode: 'no_app_access',
    reason:
      "A person's deletion waiting out its cooling-off period (issue 13): global because the " +
      'person is (users), may belong to several workspaces or none, and "Delete my account" names ' +
      'no workspace. Ids, dates, state, and the address for the receipt sealed by the server ' +
      '(cleared once handed to the sender). The app role holds nothing on it; it is reached only ' +
      'through wardroom.privacy_deletion_schedule(), _get(), _cancel(), _claim() and _complete() ' +
      '(migration 029).',
    appPrivileges: [],
  },
  {
    name: 'schema_migrations',
    mode: 'no_app_access',
    reason:
      'Migration bookkeeping written by node-pg-migrate as the owner role, which must read it, so ' +
      'it is exempt from RLS; the app role has no privilege on it.',
    appPrivileges: [],
  },
];

export function globalTable(name: string): GlobalTable | undefined {
  return GLOBAL_TABLES.find((t) => t.name === name);
}

/**
 * The sealed-field registry against the live catalog: each entry names a
 * bytea column and an id column unique within the tenant; and every bytea
 * column of the schema is either registered or listed below as holding
 * something other than an envelope. A sealed column missing from the
 * registry would stay on an old key through rotation and stop opening once
 * that key is retired, so a new bytea column fails here until classified.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SEALED_FIELDS, fieldName } from '../../src/modules/keys/sealed-fields.js';

/** bytea columns that are not envelopes, and what they hold. */
const NOT_SEALED: Record<string, string> = {
  'api_tokens.secret_hash': 'SHA-256 of a token secret',
  'contacts.email_index': 'a keyed blind index (HMAC-SHA-256) of the normalised address',
  'workspace_keys.wrapped_key': 'a data key wrapped by the master key',
  'workspace_root_keys.sealed_secret':
    "a workspace root secret encrypted under that workspace's own Vault or KMS key",
  'audit_log.prev_hash': 'hash chain',
  'audit_log.hash': 'hash chain',
  'audit_heads.hash': 'hash chain',
  'audit_checkpoints.hash': 'hash chain',
  'audit_checkpoints.signature': 'Ed25519 signature',
  'shred_receipts.signature': 'Ed25519 signature',
  'sign_in_codes.code_hmac': 'HMAC-SHA256 of a sign-in code under the server secret',
  'sessions.token_hash': 'SHA-256 of a session token',
  'sso_flows.key_hash': "SHA-256 of an SSO flow's state or SAML request id",
  'privacy_suppressions.email_hash': 'a keyed HMAC of an opted-out address',
  'privacy_optout_codes.address_hash': 'a keyed HMAC of the address asking to opt out',
  'privacy_optout_codes.code_hmac': 'HMAC of an opt-out code under a derived privacy key',
  'audit_person_keys.wrapped':
    "a person's audit key wrapped by the master key (global, no workspace)",
  'scheduled_deletions.receipt_to':
    "a deletion receipt's address sealed under a key derived from the auth secret (global)",
};

let admin: pg.Client;
beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject('adminUrl') });
  await admin.connect();
});
afterAll(() => admin.end());

describe('sealed field registry', () => {
  it('names bytea columns, each with an id column unique within its workspace', async () => {
    for (const f of SEALED_FIELDS) {
      const { rows } = await admin.query<{ type: string }>(
        `select format_type(atttypid, atttypmod) as type from pg_attribute
          where attrelid = $1::regclass and attname = $2 and not attisdropped`,
        [`wardroom.${f.table}`, f.column],
      );
      expect(rows[0]?.type, fieldName(f)).toBe('bytea');
      const unique = await admin.query(
        `select 1 from pg_index x
          where x.indrelid = $1::regclass and x.indisunique and x.indpred is null
            and (select array_agg(a.attname::text order by a.attname) from pg_attribute a
                  where a.attrelid = x.indrelid and a.attnum = any(x.indkey))
                = (select array_agg(c order by c) from unnest(array['tenant_id', $2]) c)`,
        [`wardroom.${f.table}`, f.idColumn],
      );
      const idIsTenant = f.idColumn === 'tenant_id';
      const single = await admin.query(
        `select 1 from pg_index x join pg_attribute a on a.attrelid = x.indrelid
          where x.indrelid = $1::regclass and x.indisunique and x.indnatts = 1
            and a.attnum = x.indkey[0] and a.attname = 'tenant_id'`,
        [`wardroom.${f.table}`],
      );
      expect(
        unique.rows.length + (idIsTenant ? single.rows.length : 0),
        fieldName(f),
      ).toBeGreaterThan(0);
    }
  });

  it('covers every bytea column in the schema that is not listed as something else', async () => {
    const { rows } = await admin.query<{ name: string }>(
      `select c.relname || '.' || a.attname as name from pg_attribute a
         join pg_class c on c.oid = a.attrelid
        where c.relnamespace = 'wardroom'::regnamespace and c.relkind in ('r', 'p')
          and not c.relispartition and a.attnum > 0 and not a.attisdropped
          and a.atttypid = 'bytea'::regtype
        order by 1`,
    );
    const sealed = new Set(SEALED_FIELDS.map(fieldName));
    const unclassified = rows
      .map((r) => r.name)
      .filter((n) => !sealed.has(n) && !(n in NOT_SEALED));
    expect(unclassified).toEqual([]);
  });
});

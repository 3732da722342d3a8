-- Up Migration
--
-- Privacy (data subject) requests (issue 13, section 2): a request by a
-- person to a workspace (access, deletion, rectification, opt-out), its
-- state from receipt to an end, and the legal deadline it must be answered
-- by. A tenant table through make_tenant_table (RLS, audit triggers): every
-- insert and update is a `privacy_request.created` / `.updated` event naming
-- the changed columns, never their values; the module adds explicit
-- `privacy.request.*` events without personal data.
--
-- The requester's email, name and the request's free-text details are
-- personal data: sealed under the workspace's data key, bound to
-- (workspace, privacy_requests, column, id), listed in keys/sealed-fields.ts
-- so key rotation re-seals them and a shred leaves them unreadable. The
-- subject may also (or instead) be a user of the workspace, by id.
--
-- The law applied and the deadline are fixed at receipt, from the workspace
-- region then (`region`) and the stated jurisdiction: a later region change
-- does not move an existing request's deadline. Deadlines are calendar
-- dates (UTC). Extension and denial reasons are plain, bounded text: they
-- say why (complexity, number of requests, identity not verified), not who.
--
-- near_due_notice_for / overdue_notice_for hold the deadline the admins
-- were last reminded about, so each reminder goes out once per deadline
-- (an extension sets a new deadline, which gets its own reminders).
--
-- Requests are never deleted (the record of how a right was honoured is
-- itself an obligation); the app role has no DELETE and may update only the
-- columns that move.

CREATE TABLE wardroom.privacy_requests (
  tenant_id uuid NOT NULL REFERENCES wardroom.workspaces (tenant_id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT wardroom.uuid_v7(),
  type text NOT NULL CHECK (type IN ('access', 'deletion', 'rectification', 'opt_out')),
  state text NOT NULL DEFAULT 'received'
    CHECK (state IN ('received', 'identity_verified', 'in_progress', 'completed', 'denied',
                     'cancelled')),
  subject_user_id uuid,
  subject_email_sealed bytea CHECK (length(subject_email_sealed) <= 4096),
  subject_name_sealed bytea CHECK (length(subject_name_sealed) <= 4096),
  details_sealed bytea CHECK (length(details_sealed) <= 65536),
  jurisdiction text CHECK (jurisdiction ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
  region text NOT NULL CHECK (region IN ('us', 'eu', 'me-south', 'ap-northeast')),
  law text NOT NULL CHECK (law IN ('gdpr', 'uk_gdpr', 'ccpa', 'lgpd', 'bh_pdpl', 'appi')),
  received_at timestamptz NOT NULL DEFAULT now(),
  due_on date NOT NULL,
  extended_due_on date,
  extension_reason text CHECK (length(extension_reason) BETWEEN 1 AND 500),
  extended_at timestamptz,
  denial_reason text CHECK (length(denial_reason) BETWEEN 1 AND 500),
  identity_verified_at timestamptz,
  closed_at timestamptz,
  near_due_notice_for date,
  overdue_notice_for date,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (subject_user_id IS NOT NULL OR subject_email_sealed IS NOT NULL),
  CHECK ((extended_due_on IS NULL) = (extension_reason IS NULL)),
  CHECK ((extended_due_on IS NULL) = (extended_at IS NULL)),
  CHECK (extended_due_on IS NULL OR extended_due_on > due_on),
  CHECK ((state IN ('completed', 'denied', 'cancelled')) = (closed_at IS NOT NULL)),
  CHECK ((state = 'denied') = (denial_reason IS NOT NULL))
);
CREATE INDEX privacy_requests_open_idx ON wardroom.privacy_requests (tenant_id, due_on)
  WHERE state IN ('received', 'identity_verified', 'in_progress');
SELECT wardroom.make_tenant_table('wardroom.privacy_requests', 'privacy_request', 'id');
GRANT SELECT, INSERT ON wardroom.privacy_requests TO wardroom_app;
-- What a request is, who it is about and the law it was received under never change.
GRANT UPDATE (state, extended_due_on, extension_reason, extended_at, denial_reason,
              identity_verified_at, closed_at, near_due_notice_for, overdue_notice_for,
              updated_at)
  ON wardroom.privacy_requests TO wardroom_app;

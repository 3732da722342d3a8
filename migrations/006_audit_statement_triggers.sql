-- Up Migration
--
-- Audit events for row changes are written per statement, not per row.
--
-- The row trigger from 002 ran a PL/pgSQL call per changed row, turned both
-- row images into jsonb (message ciphertexts included), and its one-row
-- INSERT into audit_log fired the stamp trigger, another PL/pgSQL call. On a
-- 20,000-row key-rotation batch that was most of the time spent. Now:
--   * one statement trigger per event (INSERT, UPDATE, DELETE) with
--     transition tables writes every event of the statement with one
--     set-based INSERT ... SELECT; still one event per changed row, in the
--     same transaction, with the same content as before;
--   * UPDATE pairs old and new images on the table's primary key (read from
--     the catalog, so it holds for tables added later) and compares columns
--     with typed IS DISTINCT FROM, not through jsonb; a row whose key itself
--     changed is unpaired and reported with every column as changed;
--   * the stamp trigger on audit_log no longer runs for rows inserted by
--     functions owned by wardroom_owner (this trigger function and the
--     sealer). Those rows are built from values the database itself read,
--     and the owner could disable the trigger anyway, so skipping it grants
--     nothing. Every other writer, the app and operators included, is still
--     stamped and validated, now at any trigger depth.

CREATE FUNCTION wardroom.audit_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  is_app boolean := session_user::text = 'wardroom_app';
  a_type text := CASE WHEN is_app
    THEN coalesce(nullif(current_setting('wardroom.actor_type', true), ''), 'system') ELSE 'ops' END;
  a_id text := CASE WHEN is_app
    THEN nullif(current_setting('wardroom.actor_id', true), '') ELSE session_user::text END;
  a_name text := nullif(current_setting('wardroom.actor_name', true), '');
  ctx jsonb := jsonb_strip_nulls(jsonb_build_object(
    'ip', nullif(current_setting('wardroom.ip', true), ''),
    'user_agent', nullif(current_setting('wardroom.user_agent', true), '')));
  corr text := nullif(current_setting('wardroom.correlation_id', true), '');
  subject text := TG_ARGV[0];
  key_col text := TG_ARGV[1];
  pairing text;
  compare text;
  all_cols text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO wardroom.audit_log
      (tenant_id, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata)
    SELECT (r.j ->> 'tenant_id')::uuid, a_type, a_id, a_name, subject || '.created',
           jsonb_build_array(jsonb_build_object('type', subject, 'id', r.j ->> key_col)),
           ctx, corr, '{}'::jsonb
      FROM (SELECT to_jsonb(n) AS j FROM new_rows n) r;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO wardroom.audit_log
      (tenant_id, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata)
    SELECT (r.j ->> 'tenant_id')::uuid, a_type, a_id, a_name, subject || '.deleted',
           jsonb_build_array(jsonb_build_object('type', subject, 'id', r.j ->> key_col)),
           ctx, corr, '{}'::jsonb
      FROM (SELECT to_jsonb(o) AS j FROM old_rows o) r;
  ELSE
    SELECT string_agg(format('n.%1$I = o.%1$I', a.attname), ' AND ')
      INTO pairing
      FROM pg_index i
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
     WHERE i.indrelid = TG_RELID AND i.indisprimary;
    IF pairing IS NULL THEN
      RAISE EXCEPTION 'wardroom.%: an audited table needs a primary key', TG_TABLE_NAME
        USING ERRCODE = '55000';
    END IF;
    SELECT string_agg(format('CASE WHEN n.%1$I IS DISTINCT FROM o.%1$I THEN %1$L END', a.attname),
                      ', ' ORDER BY a.attname::text COLLATE "C"),
           string_agg(quote_literal(a.attname), ', ' ORDER BY a.attname::text COLLATE "C")
      INTO compare, all_cols
      FROM pg_attribute a
     WHERE a.attrelid = TG_RELID AND a.attnum > 0 AND NOT a.attisdropped;
    EXECUTE format($q$
      INSERT INTO wardroom.audit_log
        (tenant_id, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata)
      SELECT coalesce(n.tenant_id, o.tenant_id), $1, $2, $3, $4 || '.updated',
             jsonb_build_array(jsonb_build_object('type', $4, 'id', coalesce(n.%1$I, o.%1$I)::text)),
             $5, $6, jsonb_build_object('changed', to_jsonb(c.changed))
        FROM new_rows n FULL JOIN old_rows o ON %2$s
       CROSS JOIN LATERAL (SELECT CASE WHEN n.tenant_id IS NULL OR o.tenant_id IS NULL
                                       THEN ARRAY[%4$s]::text[]
                                       ELSE array_remove(ARRAY[%3$s]::text[], NULL) END AS changed) c
       WHERE cardinality(c.changed) > 0$q$, key_col, pairing, compare, all_cols)
      USING a_type, a_id, a_name, subject, ctx, corr;
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION wardroom.audit_changes() FROM PUBLIC;

DROP TRIGGER audit_row_change ON wardroom.workspaces;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.workspaces REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workspace', 'tenant_id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.workspaces REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workspace', 'tenant_id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.workspaces REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workspace', 'tenant_id');

DROP TRIGGER audit_row_change ON wardroom.memberships;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.memberships REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('membership', 'user_id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.memberships REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('membership', 'user_id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.memberships REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('membership', 'user_id');

DROP TRIGGER audit_row_change ON wardroom.api_tokens;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.api_tokens REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('api_token', 'id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.api_tokens REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('api_token', 'id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.api_tokens REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('api_token', 'id');

DROP TRIGGER audit_row_change ON wardroom.workspace_keys;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.workspace_keys REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workspace_key', 'version');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.workspace_keys REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workspace_key', 'version');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.workspace_keys REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workspace_key', 'version');

DROP TRIGGER audit_row_change ON wardroom.workrooms;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.workrooms REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workroom', 'id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.workrooms REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workroom', 'id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.workrooms REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('workroom', 'id');

DROP TRIGGER audit_row_change ON wardroom.conversations;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.conversations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('conversation', 'id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.conversations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('conversation', 'id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.conversations REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('conversation', 'id');

DROP TRIGGER audit_row_change ON wardroom.messages;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.messages REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('message', 'id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.messages REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('message', 'id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.messages REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('message', 'id');

DROP TRIGGER audit_row_change ON wardroom.integration_credentials;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.integration_credentials REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('integration_credential', 'id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.integration_credentials REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('integration_credential', 'id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.integration_credentials REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('integration_credential', 'id');

DROP TRIGGER audit_row_change ON wardroom.credential_fingerprint_keys;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.credential_fingerprint_keys REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('credential_fingerprint_key', 'tenant_id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.credential_fingerprint_keys REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('credential_fingerprint_key', 'tenant_id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.credential_fingerprint_keys REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('credential_fingerprint_key', 'tenant_id');

DROP TRIGGER audit_row_change ON wardroom.key_rotations;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.key_rotations REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('key_rotation', 'id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.key_rotations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('key_rotation', 'id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.key_rotations REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('key_rotation', 'id');

DROP TRIGGER audit_row_change ON wardroom.shred_receipts;
CREATE TRIGGER audit_insert AFTER INSERT ON wardroom.shred_receipts REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('shred_receipt', 'id');
CREATE TRIGGER audit_update AFTER UPDATE ON wardroom.shred_receipts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('shred_receipt', 'id');
CREATE TRIGGER audit_delete AFTER DELETE ON wardroom.shred_receipts REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes('shred_receipt', 'id');

DROP FUNCTION wardroom.audit_row_change();

-- The stamp, as in 002, minus the trigger-depth exemption from validation:
-- rows the database builds itself no longer reach this function at all.
CREATE OR REPLACE FUNCTION wardroom.audit_stamp() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF session_user::text OPERATOR(pg_catalog.<>) 'wardroom_app'::text THEN
    NEW.actor_type := 'ops';
    NEW.actor_id := coalesce(NEW.actor_id, session_user::text);
  ELSIF NOT coalesce(NEW.tenant_id OPERATOR(pg_catalog.=)
          nullif(pg_catalog.current_setting('wardroom.tenant_id', true), '')::uuid, false) THEN
    RAISE EXCEPTION 'new row violates row-level security policy for table "audit_log"' USING ERRCODE = '42501';
  END IF;
  IF pg_catalog.abs(pg_catalog.date_part('epoch', NEW.occurred_at OPERATOR(pg_catalog.-) pg_catalog.clock_timestamp()))
       OPERATOR(pg_catalog.>) 300 THEN
    RAISE EXCEPTION 'audit events are stamped by the database clock' USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.jsonb_path_exists(pg_catalog.jsonb_build_array(NEW.targets, NEW.context, NEW.metadata),
       'strict $.** ? (@.type() == "number" && (@ != @.floor() || @ > 9007199254740991 || @ < -9007199254740991))') THEN
    RAISE EXCEPTION 'audit json numbers must be safe integers' USING ERRCODE = '22023';
  END IF;
  IF pg_catalog.textcat(pg_catalog.textcat(NEW.targets::text, NEW.context::text), NEW.metadata::text)
       OPERATOR(pg_catalog.~) '[\U00010000-\U0010FFFF]' THEN
    PERFORM wardroom.jcs(NEW.targets), wardroom.jcs(NEW.context), wardroom.jcs(NEW.metadata);
  END IF;
  NEW.seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END
$$;
DROP TRIGGER audit_stamp ON wardroom.audit_log;
CREATE TRIGGER audit_stamp BEFORE INSERT ON wardroom.audit_log
  FOR EACH ROW WHEN (current_user::text OPERATOR(pg_catalog.<>) 'wardroom_owner'::text)
  EXECUTE FUNCTION wardroom.audit_stamp();

-- Up Migration
--
-- Operators cannot write history in someone else's name.
--
-- Until now the stamp trigger on wardroom.audit_log skipped every row
-- inserted while current_user was the owner role (migration 006), so that
-- the rows audit_changes builds are not stamped twice. But an administrator
-- could SET ROLE to the owner and insert an event with actor_type
-- 'api_token' and a back-dated occurred_at: the sealer chained it and
-- verification passed. And SET session_replication_role = replica silenced
-- every audit trigger, so an update left no event at all.
--
-- Now:
--   * the stamp skips only rows inserted from inside a trigger
--     (pg_trigger_depth() >= 1, as seen from the WHEN clause) while the
--     current user is the owner: wardroom.audit_changes. A top-level INSERT
--     is stamped whoever the current user is, so a non-app session writes
--     `ops` with the database's clock. No setting can fake a trigger depth,
--     and only the owner (or a superuser) can create a trigger on these
--     tables; bootstrap now revokes membership in the owner role from every
--     role but the migrator, and `db check` proves it.
--   * the stamp and every audit_changes trigger are enabled ALWAYS, so
--     session_replication_role = replica no longer skips them;
--     make_tenant_table does the same for tables added later.
-- A superuser can still do anything (disable a trigger, replace a function,
-- rewrite the log and its heads): docs/audit.md, "Trust root".

DROP TRIGGER audit_stamp ON wardroom.audit_log;
CREATE TRIGGER audit_stamp BEFORE INSERT ON wardroom.audit_log
  FOR EACH ROW WHEN (current_user::text OPERATOR(pg_catalog.<>) 'wardroom_owner'::text
                     OR pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.<) 1)
  EXECUTE FUNCTION wardroom.audit_stamp();
ALTER TABLE wardroom.audit_log ENABLE ALWAYS TRIGGER audit_stamp;

DO $$
DECLARE
  t record;
BEGIN
  FOR t IN
    SELECT g.tgrelid::regclass AS tbl, g.tgname
      FROM pg_catalog.pg_trigger g
     WHERE g.tgfoid = 'wardroom.audit_changes()'::regprocedure AND NOT g.tgisinternal
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = g.tgrelid AND c.relispartition)
     ORDER BY 1, 2
  LOOP
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER %I', t.tbl, t.tgname);
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION wardroom.make_tenant_table(p_table regclass, p_entity text, p_id_column text)
RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class c
                  WHERE c.oid = p_table AND c.relkind IN ('r', 'p')
                    AND c.relnamespace = 'wardroom'::regnamespace) THEN
    RAISE EXCEPTION 'wardroom.make_tenant_table: % is not a table in schema wardroom', p_table
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = p_table AND a.attname = 'tenant_id' AND NOT a.attisdropped
                    AND a.atttypid = 'uuid'::regtype AND a.attnotnull) THEN
    RAISE EXCEPTION 'wardroom.make_tenant_table: % lacks a "tenant_id uuid not null" column', p_table
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = p_table AND i.indisprimary) THEN
    RAISE EXCEPTION 'wardroom.make_tenant_table: % has no primary key', p_table
      USING ERRCODE = '22023';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_attribute a
                  WHERE a.attrelid = p_table AND a.attname = p_id_column AND a.attnum > 0
                    AND NOT a.attisdropped) THEN
    RAISE EXCEPTION 'wardroom.make_tenant_table: % has no column %', p_table, p_id_column
      USING ERRCODE = '22023';
  END IF;
  IF p_entity IS NULL OR p_entity !~ '^[a-z][a-z0-9_]*$' THEN
    RAISE EXCEPTION 'wardroom.make_tenant_table: entity % is not a lower-case audit name', p_entity
      USING ERRCODE = '22023';
  END IF;
  -- A regclass prints schema-qualified under this function's search_path.
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s FOR ALL TO wardroom_app '
    'USING (tenant_id = (SELECT nullif(current_setting(''wardroom.tenant_id'', true), '''')::uuid)) '
    'WITH CHECK (tenant_id = (SELECT nullif(current_setting(''wardroom.tenant_id'', true), '''')::uuid))',
    p_table);
  EXECUTE format(
    'CREATE TRIGGER audit_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
    'FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes(%L, %L)',
    p_table, p_entity, p_id_column);
  EXECUTE format(
    'CREATE TRIGGER audit_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
    'FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes(%L, %L)',
    p_table, p_entity, p_id_column);
  EXECUTE format(
    'CREATE TRIGGER audit_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
    'FOR EACH STATEMENT EXECUTE FUNCTION wardroom.audit_changes(%L, %L)',
    p_table, p_entity, p_id_column);
  -- ALWAYS: session_replication_role = replica does not silence them (009).
  EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_insert', p_table);
  EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_update', p_table);
  EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER audit_delete', p_table);
END
$$;
REVOKE ALL ON FUNCTION wardroom.make_tenant_table(regclass, text, text) FROM PUBLIC;

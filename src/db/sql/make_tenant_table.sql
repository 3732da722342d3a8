-- Makes a table a tenant table in one call, giving it what the tenant tables
-- of migrations 001 to 007 carry (the audit log's own tables aside):
--   * ENABLE and FORCE row level security;
--   * the tenant_isolation policy, for all commands, for the app role, bound
--     to the transaction-local setting wardroom.tenant_id and evaluated once
--     per statement inside (SELECT ...): no setting, or '', means no rows;
--   * the audit statement triggers audit_insert, audit_update and
--     audit_delete, running wardroom.audit_changes(p_entity, p_id_column)
--     with the transition tables each needs, enabled ALWAYS (they fire
--     under session_replication_role = replica too).
-- It grants nothing: each migration grants the app role exactly what it
-- needs, beside the call. It refuses a table outside schema wardroom, one
-- without "tenant_id uuid not null" or a primary key (audit_changes pairs
-- updated rows on it), an id column the table lacks, and an entity name that
-- cannot form an audit action. Not SECURITY DEFINER: it runs as its caller,
-- the owner in a migration, and only the owner may execute it.
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

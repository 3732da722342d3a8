-- Creates the monthly partition of wardroom.audit_log that holds p_month, if
-- it is missing, with RLS of its own (partitions are tables too): ENABLE,
-- FORCE and the tenant_isolation policy. Returns the partition's name.
CREATE OR REPLACE FUNCTION wardroom.ensure_audit_partition(p_month date) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  first_day date := date_trunc('month', p_month)::date;
  name text := 'audit_log_' || to_char(first_day, 'YYYY_MM');
BEGIN
  IF to_regclass('wardroom.' || name) IS NOT NULL THEN
    RETURN name;
  END IF;
  EXECUTE format(
    'CREATE TABLE wardroom.%I PARTITION OF wardroom.audit_log FOR VALUES FROM (%L) TO (%L)',
    name, first_day, (first_day + interval '1 month')::date);
  EXECUTE format('ALTER TABLE wardroom.%I ENABLE ROW LEVEL SECURITY', name);
  EXECUTE format('ALTER TABLE wardroom.%I FORCE ROW LEVEL SECURITY', name);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON wardroom.%I FOR ALL TO wardroom_app '
    'USING (tenant_id = (SELECT nullif(current_setting(''wardroom.tenant_id'', true), '''')::uuid)) '
    'WITH CHECK (tenant_id = (SELECT nullif(current_setting(''wardroom.tenant_id'', true), '''')::uuid))',
    name);
  RETURN name;
END
$$;

-- Up Migration
--
-- Tamper-evident audit log.
--
--   * wardroom.audit_log is tenant-scoped like every tenant table, partitioned
--     by month on occurred_at. The app role may INSERT and SELECT only.
--   * Events are appended unsealed, with no lock, in the writer's own
--     transaction. A sealer (wardroom.audit_seal, run continuously by the
--     server and before every read of the chain) then assigns each
--     workspace's committed events their seq and chains them:
--     hash = sha256(RFC 8785 canonical JSON of the event, which includes
--     prev_hash). Any edit, deletion, insertion or reordering of a sealed
--     event breaks the chain. Sealing after commit means writers in one
--     workspace never wait on each other's commits; the price is a short
--     window (until the next seal, normally well under a second) in which a
--     committed event is not yet chained, and verification reports events
--     left unsealed for longer.
--   * Every tenant table carries an AFTER ROW trigger writing one event per
--     insert, update and delete in the same transaction. A change made by any
--     role other than the app role is recorded with actor_type = 'ops'.
--   * Metadata never holds column values, only names, so no sealed field or
--     secret reaches the log.

-- RFC 8785 (JCS) canonical JSON of a jsonb value. Numbers must be integers in
-- the IEEE-754 safe range (their canonical form is then their decimal digits);
-- keys are ordered by code point, which equals JCS's UTF-16 order for every
-- key without characters above U+FFFF (such keys are refused).
CREATE FUNCTION wardroom.jcs(v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
DECLARE
  kind text := jsonb_typeof(v);
  result text;
  has_astral boolean;
  n numeric;
BEGIN
  -- Scalars inside containers are rendered inline; only nested containers and
  -- numbers recurse, which keeps the per-event cost low.
  IF kind = 'object' THEN
    IF v = '{}'::jsonb THEN
      RETURN '{}';
    END IF;
    SELECT '{' || string_agg(to_json(e.key)::text || ':' ||
             CASE jsonb_typeof(e.value)
               WHEN 'string' THEN to_json(e.value #>> '{}')::text
               WHEN 'boolean' THEN e.value::text
               WHEN 'null' THEN 'null'
               ELSE wardroom.jcs(e.value) END,
             ',' ORDER BY e.key COLLATE "C") || '}',
           bool_or(e.key ~ '[\U00010000-\U0010FFFF]')
      INTO result, has_astral FROM jsonb_each(v) e;
    IF has_astral THEN
      RAISE EXCEPTION 'audit json keys must not contain characters above U+FFFF' USING ERRCODE = '22023';
    END IF;
    RETURN result;
  ELSIF kind = 'array' THEN
    IF v = '[]'::jsonb THEN
      RETURN '[]';
    END IF;
    SELECT '[' || string_agg(
             CASE jsonb_typeof(e.value)
               WHEN 'string' THEN to_json(e.value #>> '{}')::text
               WHEN 'boolean' THEN e.value::text
               WHEN 'null' THEN 'null'
               ELSE wardroom.jcs(e.value) END,
             ',' ORDER BY e.ord) || ']'
      INTO result FROM jsonb_array_elements(v) WITH ORDINALITY e(value, ord);
    RETURN result;
  ELSIF kind = 'string' THEN
    RETURN to_json(v #>> '{}')::text;
  ELSIF kind = 'number' THEN
    n := (v #>> '{}')::numeric;
    IF n <> trunc(n) OR abs(n) > 9007199254740991 THEN
      RAISE EXCEPTION 'audit json numbers must be safe integers' USING ERRCODE = '22023';
    END IF;
    RETURN trunc(n)::bigint::text;
  ELSE
    RETURN v::text; -- true, false, null
  END IF;
END
$$;
REVOKE ALL ON FUNCTION wardroom.jcs(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.jcs(jsonb) TO wardroom_app;

-- The head of each tenant's chain. Only the chaining trigger writes it.
CREATE TABLE wardroom.audit_heads (
  tenant_id uuid PRIMARY KEY,
  seq bigint NOT NULL,
  hash bytea NOT NULL
);
ALTER TABLE wardroom.audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.audit_heads FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
CREATE POLICY chain_trigger ON wardroom.audit_heads FOR ALL TO wardroom_owner
  USING (true) WITH CHECK (true);
GRANT SELECT ON wardroom.audit_heads TO wardroom_app;

-- Ids come from a sequence private to the log and are never exposed; the
-- per-workspace seq assigned at sealing is what the chain and the API use.
CREATE SEQUENCE wardroom.audit_log_id_seq;
GRANT USAGE ON SEQUENCE wardroom.audit_log_id_seq TO wardroom_app;

CREATE TABLE wardroom.audit_log (
  tenant_id uuid NOT NULL,
  id bigint NOT NULL DEFAULT nextval('wardroom.audit_log_id_seq'),
  seq bigint,
  occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_token', 'agent', 'system', 'ops')),
  actor_id text,
  actor_name text,
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' AND length(action) <= 100),
  targets jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(targets) = 'array'),
  context jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(context) = 'object'),
  correlation_id text,
  metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
  prev_hash bytea,
  hash bytea,
  CHECK ((seq IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL)),
  PRIMARY KEY (tenant_id, id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX audit_log_seq_idx ON wardroom.audit_log (tenant_id, seq);
CREATE INDEX audit_log_unsealed_idx ON wardroom.audit_log (tenant_id, id) WHERE seq IS NULL;
-- Deliberately few indexes (each one costs every append): time ranges prune
-- monthly partitions and then walk seq; the partial index finds what the
-- sealer has not chained yet.
ALTER TABLE wardroom.audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.audit_log FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
-- The row-change trigger (insert) and the sealer (select, update) run as the owner.
CREATE POLICY trigger_and_sealer ON wardroom.audit_log FOR ALL TO wardroom_owner
  USING (true) WITH CHECK (true);
GRANT SELECT, INSERT ON wardroom.audit_log TO wardroom_app;

-- Monthly partitions, each with RLS of its own (partitions are tables too).
CREATE FUNCTION wardroom.ensure_audit_partition(p_month date) RETURNS text
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
REVOKE ALL ON FUNCTION wardroom.ensure_audit_partition(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.ensure_audit_partition(date) TO wardroom_app;

-- Rows outside every monthly partition land here rather than fail.
CREATE TABLE wardroom.audit_log_default PARTITION OF wardroom.audit_log DEFAULT;
ALTER TABLE wardroom.audit_log_default ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.audit_log_default FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.audit_log_default FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
SELECT wardroom.ensure_audit_partition(current_date);
SELECT wardroom.ensure_audit_partition((current_date + interval '1 month')::date);

-- The canonical event that is hashed. Exported files carry exactly these
-- fields, so `wardroom audit verify --file` recomputes the same bytes.
-- (Explicit arguments, not a row: a partition's row type differs from the parent's.)
CREATE FUNCTION wardroom.audit_canonical(
  p_tenant_id uuid, p_seq bigint, p_occurred_at timestamptz, p_actor_type text, p_actor_id text,
  p_actor_name text, p_action text, p_targets jsonb, p_context jsonb, p_correlation_id text,
  p_metadata jsonb, p_prev_hash bytea) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
  -- RFC 8785 of {v, tenant_id, seq, occurred_at, actor {type, id, name},
  -- action, targets, context, correlation_id, metadata, prev_hash}, written
  -- out with the keys already in canonical order.
  SELECT '{"action":' || to_json(p_action)::text
      || ',"actor":{"id":' || coalesce(to_json(p_actor_id)::text, 'null')
      || ',"name":' || coalesce(to_json(p_actor_name)::text, 'null')
      || ',"type":' || to_json(p_actor_type)::text
      || '},"context":' || wardroom.jcs(p_context)
      || ',"correlation_id":' || coalesce(to_json(p_correlation_id)::text, 'null')
      || ',"metadata":' || wardroom.jcs(p_metadata)
      || ',"occurred_at":"' || to_char(p_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
      || '","prev_hash":"' || encode(p_prev_hash, 'hex')
      || '","seq":' || p_seq::text
      || ',"targets":' || wardroom.jcs(p_targets)
      || ',"tenant_id":"' || p_tenant_id::text
      || '","v":1}'
$$;
REVOKE ALL ON FUNCTION wardroom.audit_canonical(uuid, bigint, timestamptz, text, text, text, text, jsonb, jsonb, text, jsonb, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.audit_canonical(uuid, bigint, timestamptz, text, text, text, text, jsonb, jsonb, text, jsonb, bytea) TO wardroom_app;

-- Stamps every inserted event, whoever inserts it: the actor of a session
-- that is not the app role is `ops`, the time is the database's, and chain
-- fields are left for the sealer (a writer cannot pre-seal its own event).
-- Not SECURITY DEFINER and no SET clause (both cost every append): it reads
-- no table, and every function it calls is schema-qualified, so a session's
-- search_path cannot substitute one.
CREATE FUNCTION wardroom.audit_stamp() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  -- Operators are qualified too: an operator role that can create objects
  -- must not be able to shadow the comparison that marks its writes as ops.
  IF session_user::text OPERATOR(pg_catalog.<>) 'wardroom_app'::text THEN
    NEW.actor_type := 'ops';
    NEW.actor_id := coalesce(NEW.actor_id, session_user::text);
  ELSIF NOT coalesce(NEW.tenant_id OPERATOR(pg_catalog.=)
          nullif(pg_catalog.current_setting('wardroom.tenant_id', true), '')::uuid, false) THEN
    -- Same SQLSTATE and message as the row-level security check.
    RAISE EXCEPTION 'new row violates row-level security policy for table "audit_log"' USING ERRCODE = '42501';
  END IF;
  IF pg_catalog.abs(pg_catalog.date_part('epoch', NEW.occurred_at OPERATOR(pg_catalog.-) pg_catalog.clock_timestamp()))
       OPERATOR(pg_catalog.>) 300 THEN
    RAISE EXCEPTION 'audit events are stamped by the database clock' USING ERRCODE = '22023';
  END IF;
  -- Refuse now what the sealer could not canonicalize later (non-integer or
  -- unsafe numbers, keys above U+FFFF), so no event can stall sealing. Events
  -- written by the row-change trigger (depth > 1) have a fixed, valid shape.
  IF pg_catalog.pg_trigger_depth() OPERATOR(pg_catalog.=) 1 THEN
    IF pg_catalog.jsonb_path_exists(pg_catalog.jsonb_build_array(NEW.targets, NEW.context, NEW.metadata),
         'strict $.** ? (@.type() == "number" && (@ != @.floor() || @ > 9007199254740991 || @ < -9007199254740991))') THEN
      RAISE EXCEPTION 'audit json numbers must be safe integers' USING ERRCODE = '22023';
    END IF;
    IF pg_catalog.textcat(pg_catalog.textcat(NEW.targets::text, NEW.context::text), NEW.metadata::text)
         OPERATOR(pg_catalog.~) '[\U00010000-\U0010FFFF]' THEN
      PERFORM wardroom.jcs(NEW.targets), wardroom.jcs(NEW.context), wardroom.jcs(NEW.metadata);
    END IF;
  END IF;
  NEW.seq := NULL;
  NEW.prev_hash := NULL;
  NEW.hash := NULL;
  RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION wardroom.audit_stamp() FROM PUBLIC;
CREATE TRIGGER audit_stamp BEFORE INSERT ON wardroom.audit_log
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_stamp();

-- Seals a workspace's committed, unsealed events in insertion order. The
-- head row lock makes concurrent sealers of one workspace take turns; other
-- workspaces are other rows.
CREATE FUNCTION wardroom.audit_seal_workspace(p_tenant uuid, p_limit integer, p_skip_locked boolean DEFAULT false) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  head_seq bigint;
  head_hash bytea;
  next_hash bytea;
  e record;
  sealed integer := 0;
BEGIN
  INSERT INTO wardroom.audit_heads (tenant_id, seq, hash)
  VALUES (p_tenant, 0, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)
  ON CONFLICT (tenant_id) DO NOTHING;
  IF p_skip_locked THEN
    SELECT seq, hash INTO head_seq, head_hash FROM wardroom.audit_heads
     WHERE tenant_id = p_tenant FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RETURN 0; -- another sealer holds this workspace; it will be sealed next pass
    END IF;
  ELSE
    SELECT seq, hash INTO head_seq, head_hash FROM wardroom.audit_heads WHERE tenant_id = p_tenant FOR UPDATE;
  END IF;
  FOR e IN
    SELECT id, occurred_at, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata
      FROM wardroom.audit_log
     WHERE tenant_id = p_tenant AND seq IS NULL
     ORDER BY id
     LIMIT p_limit
  LOOP
    head_seq := head_seq + 1;
    next_hash := sha256(convert_to(wardroom.audit_canonical(
      p_tenant, head_seq, e.occurred_at, e.actor_type, e.actor_id, e.actor_name, e.action,
      e.targets, e.context, e.correlation_id, e.metadata, head_hash), 'UTF8'));
    UPDATE wardroom.audit_log SET seq = head_seq, prev_hash = head_hash, hash = next_hash
     WHERE tenant_id = p_tenant AND id = e.id AND occurred_at = e.occurred_at;
    head_hash := next_hash;
    sealed := sealed + 1;
  END LOOP;
  IF sealed > 0 THEN
    UPDATE wardroom.audit_heads SET seq = head_seq, hash = head_hash WHERE tenant_id = p_tenant;
  END IF;
  RETURN sealed;
END
$$;
REVOKE ALL ON FUNCTION wardroom.audit_seal_workspace(uuid, integer, boolean) FROM PUBLIC;

-- The app seals its current workspace (before reading, exporting or
-- checkpointing the chain).
CREATE FUNCTION wardroom.audit_seal() RETURNS integer
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT wardroom.audit_seal_workspace(nullif(current_setting('wardroom.tenant_id', true), '')::uuid, 100000)
   WHERE nullif(current_setting('wardroom.tenant_id', true), '') IS NOT NULL
$$;
REVOKE ALL ON FUNCTION wardroom.audit_seal() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.audit_seal() TO wardroom_app;

-- The server's sealing loop: every workspace with unsealed events, a batch
-- each. Returns how many events were sealed; reveals nothing else.
CREATE FUNCTION wardroom.audit_seal_pending(p_batch integer) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  t uuid;
  total integer := 0;
BEGIN
  -- A workspace whose head is busy is skipped this pass, and one that fails
  -- is reported and skipped, so no workspace can stall the others.
  FOR t IN SELECT DISTINCT tenant_id FROM wardroom.audit_log WHERE seq IS NULL LOOP
    BEGIN
      total := total + wardroom.audit_seal_workspace(t, p_batch, true);
    EXCEPTION WHEN OTHERS THEN
      RAISE WARNING 'audit sealing failed for workspace %: %', t, SQLERRM;
    END;
  END LOOP;
  RETURN total;
END
$$;
REVOKE ALL ON FUNCTION wardroom.audit_seal_pending(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.audit_seal_pending(integer) TO wardroom_app;

-- One event per changed row of a tenant table. Arguments: the entity name
-- used in the action (e.g. 'workroom' → workroom.created) and the column
-- holding the row's id.
CREATE FUNCTION wardroom.audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  row_new jsonb := CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) END;
  row_old jsonb := CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) END;
  subject jsonb := coalesce(row_new, row_old);
  changed jsonb := '[]';
  is_app boolean := session_user::text = 'wardroom_app';
BEGIN
  IF TG_OP = 'UPDATE' THEN
    SELECT coalesce(jsonb_agg(n.key ORDER BY n.key), '[]') INTO changed
      FROM jsonb_each(row_new) n
     WHERE n.value IS DISTINCT FROM row_old -> n.key;
    IF changed = '[]'::jsonb THEN
      RETURN NULL;
    END IF;
  END IF;
  INSERT INTO wardroom.audit_log
    (tenant_id, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata)
  VALUES (
    (subject ->> 'tenant_id')::uuid,
    CASE WHEN is_app THEN coalesce(nullif(current_setting('wardroom.actor_type', true), ''), 'system') ELSE 'ops' END,
    CASE WHEN is_app THEN nullif(current_setting('wardroom.actor_id', true), '') ELSE session_user::text END,
    nullif(current_setting('wardroom.actor_name', true), ''),
    TG_ARGV[0] || '.' || CASE TG_OP WHEN 'INSERT' THEN 'created' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
    jsonb_build_array(jsonb_build_object('type', TG_ARGV[0], 'id', subject ->> TG_ARGV[1])),
    jsonb_strip_nulls(jsonb_build_object(
      'ip', nullif(current_setting('wardroom.ip', true), ''),
      'user_agent', nullif(current_setting('wardroom.user_agent', true), ''))),
    nullif(current_setting('wardroom.correlation_id', true), ''),
    CASE WHEN TG_OP = 'UPDATE' THEN jsonb_build_object('changed', changed) ELSE '{}'::jsonb END);
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION wardroom.audit_row_change() FROM PUBLIC;

CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.workspaces
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('workspace', 'tenant_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.memberships
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('membership', 'user_id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.api_tokens
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('api_token', 'id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.workspace_keys
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('workspace_key', 'version');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.workrooms
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('workroom', 'id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.conversations
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('conversation', 'id');
CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON wardroom.messages
  FOR EACH ROW EXECUTE FUNCTION wardroom.audit_row_change('message', 'id');

-- Signed checkpoints of each tenant's chain head (also written outside the
-- database; see src/modules/audit/checkpoints.ts).
CREATE TABLE wardroom.audit_checkpoints (
  tenant_id uuid NOT NULL,
  seq bigint NOT NULL,
  hash bytea NOT NULL,
  signed_at timestamptz NOT NULL DEFAULT now(),
  key_id text NOT NULL,
  signature bytea NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
ALTER TABLE wardroom.audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE wardroom.audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wardroom.audit_checkpoints FOR ALL TO wardroom_app
  USING (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid))
  WITH CHECK (tenant_id = (SELECT nullif(current_setting('wardroom.tenant_id', true), '')::uuid));
GRANT SELECT, INSERT ON wardroom.audit_checkpoints TO wardroom_app;

-- System jobs (checkpoints, sweeps, key rotation) iterate workspaces
-- without seeing their rows: this returns ids only, and each workspace is
-- then opened with withTenant(). The owner (this definer) may read
-- workspace ids; the app role's own policy is unchanged.
CREATE POLICY list_workspace_ids ON wardroom.workspaces FOR SELECT TO wardroom_owner USING (true);
CREATE FUNCTION wardroom.list_workspace_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$ SELECT tenant_id FROM wardroom.workspaces ORDER BY tenant_id $$;
REVOKE ALL ON FUNCTION wardroom.list_workspace_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wardroom.list_workspace_ids() TO wardroom_app;

-- The audit trigger of every tenant table: AFTER INSERT, UPDATE and DELETE,
-- FOR EACH STATEMENT, with the transition tables new_rows and old_rows.
-- Arguments: the entity name used in the action (e.g. 'workroom' ->
-- workroom.created) and the column holding the row's id.
--
-- A statement writes one event per workspace and, for updates, per set of
-- changed columns; its targets list every row concerned, ordered by key, at
-- most 1,000 (TARGETS_PER_EVENT) to an event. Metadata holds column names,
-- never values. UPDATE pairs old and new rows on the table's primary key
-- (read from the catalog) and compares columns with typed IS DISTINCT FROM.
-- A change made by a session user other than the app role is recorded with
-- actor_type 'ops'.
CREATE OR REPLACE FUNCTION wardroom.audit_changes() RETURNS trigger
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
  per_event constant integer := 1000; -- TARGETS_PER_EVENT
  pairing text;
  compare text;
  all_cols text;
  inserted bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- One row, the common case of an API request, skips the grouping: same
    -- event, about 20 µs less per insert.
    SELECT count(*) INTO inserted FROM new_rows;
    IF inserted = 1 THEN
      INSERT INTO wardroom.audit_log
        (tenant_id, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata)
      SELECT r.tenant_id, a_type, a_id, a_name, subject || '.created',
             jsonb_build_array(jsonb_build_object('type', subject, 'id', to_jsonb(r) ->> key_col)),
             ctx, corr, '{}'::jsonb
        FROM new_rows r;
      RETURN NULL;
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'DELETE') THEN
    -- Built per call: only the trigger's own transition table may be named.
    EXECUTE format($q$
      INSERT INTO wardroom.audit_log
        (tenant_id, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata)
      SELECT g.tenant_id, $1, $2, $3, $4 || %L,
             jsonb_agg(jsonb_build_object('type', $4, 'id', g.k) ORDER BY g.rn), $5, $6, '{}'::jsonb
        FROM (SELECT r.tenant_id, r.k,
                     row_number() OVER (PARTITION BY r.tenant_id ORDER BY r.k COLLATE "C") AS rn
                FROM (SELECT t.tenant_id, to_jsonb(t) ->> $7 AS k FROM %I t) r) g
       GROUP BY g.tenant_id, (g.rn - 1) / $8
       ORDER BY g.tenant_id, (g.rn - 1) / $8$q$,
      CASE TG_OP WHEN 'INSERT' THEN '.created' ELSE '.deleted' END,
      CASE TG_OP WHEN 'INSERT' THEN 'new_rows' ELSE 'old_rows' END)
      USING a_type, a_id, a_name, subject, ctx, corr, key_col, per_event;
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
    -- A row whose key changed has no partner: each half is listed with every column.
    EXECUTE format($q$
      INSERT INTO wardroom.audit_log
        (tenant_id, actor_type, actor_id, actor_name, action, targets, context, correlation_id, metadata)
      SELECT g.tenant_id, $1, $2, $3, $4 || '.updated',
             jsonb_agg(jsonb_build_object('type', $4, 'id', g.k) ORDER BY g.rn),
             $5, $6, jsonb_build_object('changed', to_jsonb(g.changed))
        FROM (SELECT p.tenant_id, p.k, p.changed,
                     row_number() OVER (PARTITION BY p.tenant_id, p.changed ORDER BY p.k COLLATE "C") AS rn
                FROM (SELECT coalesce(n.tenant_id, o.tenant_id) AS tenant_id,
                             coalesce(n.%1$I, o.%1$I)::text AS k, c.changed
                        FROM new_rows n FULL JOIN old_rows o ON %2$s
                       CROSS JOIN LATERAL (SELECT CASE WHEN n.tenant_id IS NULL OR o.tenant_id IS NULL
                                                       THEN ARRAY[%4$s]::text[]
                                                       ELSE array_remove(ARRAY[%3$s]::text[], NULL) END AS changed) c
                       WHERE cardinality(c.changed) > 0) p) g
       GROUP BY g.tenant_id, g.changed, (g.rn - 1) / $7
       ORDER BY g.tenant_id, g.changed, (g.rn - 1) / $7$q$, key_col, pairing, compare, all_cols)
      USING a_type, a_id, a_name, subject, ctx, corr, per_event;
  END IF;
  RETURN NULL;
END
$$;

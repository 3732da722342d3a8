-- BEFORE INSERT row trigger on wardroom.audit_log. Stamps every event
-- inserted by a writer other than the audit trigger itself: the actor of a
-- session that is not the app role is `ops`, the app may only write events
-- of its current workspace, the time is the database's, chain fields are
-- left for the sealer (a writer cannot pre-seal its own event), and JSON the
-- sealer could not canonicalize (non-integer or unsafe numbers, keys above
-- U+FFFF) is refused. The trigger's WHEN clause (migration 009) skips only
-- rows inserted from inside another trigger (pg_trigger_depth() >= 1) while
-- the current user is the owner role: that is wardroom.audit_changes, the
-- owner's SECURITY DEFINER statement trigger, whose rows the database built
-- itself. A direct INSERT at top level is stamped even under SET ROLE owner
-- (until 009, current_user = owner alone skipped it, so an administrator
-- could forge an `api_token` event). A transaction-local marker set inside
-- audit_changes would not do: any session can set a custom setting by hand,
-- but none can raise its own trigger depth without a trigger, and only the
-- owner (or a superuser) can create one on these tables. The trigger is
-- enabled ALWAYS, so session_replication_role = replica does not skip it.
--
-- Not SECURITY DEFINER and no SET clause (both cost every append): it reads
-- no table, and every function and operator it uses is schema-qualified, so
-- a session's search_path cannot substitute one.
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

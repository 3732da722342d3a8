-- RFC 8785 (JCS) canonical JSON of a jsonb value. Numbers must be integers in
-- the IEEE-754 safe range (their canonical form is then their decimal digits);
-- keys are ordered by code point, which equals JCS's UTF-16 order for every
-- key without characters above U+FFFF (such keys are refused).
--
-- An array element that is an object of string values only (a target) is
-- rendered by an inline subquery, not a recursive call. The subquery yields
-- NULL for anything else (other value types, keys above U+FFFF, the empty
-- object), which falls back to the recursive call.
CREATE OR REPLACE FUNCTION wardroom.jcs(v jsonb) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog
AS $$
DECLARE
  kind text := jsonb_typeof(v);
  result text;
  has_astral boolean;
  n numeric;
BEGIN
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
               WHEN 'object' THEN coalesce(
                 (SELECT CASE WHEN bool_and(jsonb_typeof(f.value) = 'string'
                                            AND f.key !~ '[\U00010000-\U0010FFFF]')
                              THEN '{' || string_agg(to_json(f.key)::text || ':' || to_json(f.value #>> '{}')::text,
                                                     ',' ORDER BY f.key COLLATE "C") || '}' END
                    FROM jsonb_each(e.value) f),
                 wardroom.jcs(e.value))
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

-- xnovu:requires 0046_original_id_map
-- original_compat.xnovu_id: XNovu's id for one of the original's ids in the enterprise (notify.original_id_map): the
-- mapped one; 23503 for one mapped to nothing or not in a map of that kind; the id itself when the enterprise has no map
-- of that kind (an XNovu id, which the caller checks like any other). Two primary-key probes at most.
-- (reasons first written in 0046_original_id_map)
-- History: 0046_original_id_map. Those scripts' bodies are history; this file is the live definition.

CREATE OR REPLACE FUNCTION original_compat.xnovu_id(p_enterprise uuid, p_kind text, p_id bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, notify
    SET row_security = off
AS $$
DECLARE
    v_mapped bigint;
BEGIN
    IF p_id IS NULL OR p_enterprise IS NULL THEN
        RETURN p_id;
    END IF;
    SELECT m.xnovu_id INTO v_mapped
    FROM notify.original_id_map m
    WHERE m.enterprise_id = p_enterprise AND m.kind = p_kind AND m.original_id = p_id;
    IF FOUND AND v_mapped IS NOT NULL THEN
        RETURN v_mapped;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'the original''s % id % was not brought to XNovu (see the import''s report)', p_kind, p_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM notify.original_id_map m WHERE m.enterprise_id = p_enterprise AND m.kind = p_kind) THEN
        RAISE EXCEPTION '% id % is not one of the original''s % ids of enterprise % (after an import, original_compat takes the original''s ids)',
            p_kind, p_id, p_kind, p_enterprise
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN p_id;
END
$$;
REVOKE ALL ON FUNCTION original_compat.xnovu_id(uuid, text, bigint) FROM PUBLIC;

-- A statement id sent again with other content is refused (409) in the same SQL statement that stores the batch:
-- the insert's ON CONFLICT ... DO UPDATE calls this for such a row, and the error undoes the whole statement, so a
-- batch of statements is stored whole or not at all without a transaction around it (one round trip per batch).
-- ON CONFLICT sees rows committed by a concurrent request too, which a check before the insert would miss.
CREATE FUNCTION refuse_statement_conflict(statement_id uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'statement % exists already with other content', statement_id
        USING ERRCODE = 'LS409', DETAIL = statement_id::text;
END $$;

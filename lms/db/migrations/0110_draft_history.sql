-- A draft's recent earlier states, so that a save sent with an old revision (the JSON API's If-Match) can be told
-- what another author changed since, not only that something did. Kept by a trigger, so every path that writes a
-- draft (forms, API, course folders, publishing) is covered; the newest 50 per course are enough for that message.
CREATE TABLE course_draft_history (
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    revision bigint NOT NULL,  -- the replaced draft's revision: draft_updated_at in microseconds since the epoch
    draft jsonb NOT NULL,
    PRIMARY KEY (course_id, revision)
);

CREATE FUNCTION keep_replaced_draft() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO course_draft_history (course_id, revision, draft)
    VALUES (OLD.id, (extract(epoch FROM OLD.draft_updated_at) * 1000000)::bigint, OLD.draft)
    ON CONFLICT DO NOTHING;
    DELETE FROM course_draft_history h
    WHERE h.course_id = OLD.id
      AND h.revision < (SELECT k.revision FROM course_draft_history k WHERE k.course_id = OLD.id
                        ORDER BY k.revision DESC OFFSET 49 LIMIT 1);
    RETURN NULL;
END $$;

CREATE TRIGGER courses_keep_replaced_draft AFTER UPDATE ON courses FOR EACH ROW
    WHEN (OLD.draft_updated_at IS DISTINCT FROM NEW.draft_updated_at)
    EXECUTE FUNCTION keep_replaced_draft();

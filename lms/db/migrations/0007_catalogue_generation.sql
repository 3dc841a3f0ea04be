-- A number that changes whenever what the catalogue shows may have changed: a version published or retired, or a
-- course's code or track edited. Each process caches the catalogue and course pages under it (lms/catalog/cache.py)
-- and reads it again at most once a second, so a change shows on every replica within a second, and at once in the
-- process that made it. One row; statement-level triggers keep it current whoever writes.
CREATE TABLE catalogue_generation (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    generation bigint NOT NULL
);
INSERT INTO catalogue_generation (only_row, generation) VALUES (true, 1);

CREATE FUNCTION bump_catalogue_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE catalogue_generation SET generation = generation + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER course_versions_bump_generation AFTER INSERT OR UPDATE OR DELETE ON course_versions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_generation();
CREATE TRIGGER courses_bump_generation AFTER UPDATE OF code, track ON courses
    FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_generation();

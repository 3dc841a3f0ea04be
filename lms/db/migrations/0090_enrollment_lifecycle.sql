-- A worker's enrolment in a course has a life: an instructor may end it (unenrol, with a reason), or the worker moves
-- to a newer version of the course. Nothing is deleted: an ended enrolment keeps its statements, attempts, attendance
-- and completion (and the certificate issued for it stays valid). At most one enrolment per worker and course is
-- open at a time, whatever the version: a second "Enrol" can never make a second one.

ALTER TABLE enrollments ADD COLUMN course_id uuid REFERENCES courses (id);
UPDATE enrollments e SET course_id = v.course_id FROM course_versions v WHERE v.id = e.version_id;
ALTER TABLE enrollments ALTER COLUMN course_id SET NOT NULL;

-- Whoever inserts an enrolment names only the version; the course follows from it (and can never disagree).
CREATE FUNCTION enrollment_course() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.course_id := (SELECT v.course_id FROM course_versions v WHERE v.id = NEW.version_id);
    RETURN NEW;
END $$;
CREATE TRIGGER enrollments_course BEFORE INSERT ON enrollments
    FOR EACH ROW EXECUTE FUNCTION enrollment_course();

ALTER TABLE enrollments ADD COLUMN ended_at timestamptz;
ALTER TABLE enrollments ADD COLUMN ended_by uuid REFERENCES users (id);
-- 'unenrolled' (by an instructor, with end_reason), 'moved' (the worker moved to moved_to), 'duplicate' (a second open
-- enrolment found when this migration ran; the one kept is moved_to).
ALTER TABLE enrollments ADD COLUMN end_kind text CHECK (end_kind IN ('unenrolled', 'moved', 'duplicate'));
ALTER TABLE enrollments ADD COLUMN end_reason text CHECK (length(end_reason) <= 500);
ALTER TABLE enrollments ADD COLUMN moved_to uuid REFERENCES enrollments (id);
ALTER TABLE enrollments ADD CONSTRAINT enrollments_end_is_whole
    CHECK ((ended_at IS NULL) = (end_kind IS NULL) AND (ended_at IS NOT NULL OR (end_reason IS NULL AND moved_to IS NULL)));

-- Duplicates made before this rule (the bug: "Enrol" on version 2 while enrolled in version 1): keep the worker's
-- enrolment in the newest version she is enrolled in, and end the others as duplicates pointing at it. Their
-- records stay where they are; the count is reported so whoever migrates sees it.
DO $$
DECLARE
    ended integer;
BEGIN
    WITH ranked AS (
        SELECT e.id, first_value(e.id) OVER w AS kept, row_number() OVER w AS n
        FROM enrollments e JOIN course_versions v ON v.id = e.version_id
        WINDOW w AS (PARTITION BY e.user_id, e.course_id ORDER BY v.version DESC, e.enrolled_at DESC, e.id)
    )
    UPDATE enrollments e SET ended_at = now(), end_kind = 'duplicate', moved_to = r.kept
    FROM ranked r WHERE r.id = e.id AND r.n > 1;
    GET DIAGNOSTICS ended = ROW_COUNT;
    IF ended > 0 THEN
        RAISE NOTICE 'ended % duplicate enrolment(s): one open enrolment per worker and course is kept', ended;
    END IF;
END $$;

CREATE UNIQUE INDEX enrollments_one_open_per_course ON enrollments (user_id, course_id) WHERE ended_at IS NULL;
CREATE INDEX enrollments_course_idx ON enrollments (course_id);

-- Progress carried over when a worker moves to a new version: the new version's activity counts as done because
-- the same activity (same key, kind, minutes and content) was done in the enrolment she moved from.
CREATE TABLE carried_progress (
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    from_enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    from_activity_id uuid NOT NULL REFERENCES version_activities (id),
    carried_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (enrollment_id, activity_id)
);

-- The evidence rules stay in one view (renamed, so a later redefinition of the rules replaces
-- activity_evidence); activity_progress adds what was carried.
ALTER VIEW activity_progress RENAME TO activity_evidence;
CREATE VIEW activity_progress AS
SELECT p.enrollment_id, p.user_id, p.version_id, p.activity_id, p.module_key, p.activity_key, p.kind, p.position,
       p.minutes, p.title,
       p.done OR EXISTS (SELECT 1 FROM carried_progress k
                         WHERE k.enrollment_id = p.enrollment_id AND k.activity_id = p.activity_id) AS done
FROM activity_evidence p;

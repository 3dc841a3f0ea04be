-- Who may edit, publish and retire a course: its owners, instructors (program admins run the whole catalogue and
-- add or remove co-authors). Checked in each authoring query's WHERE.
CREATE TABLE course_owners (
    course_id uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_by uuid REFERENCES users (id) ON DELETE SET NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (course_id, user_id)
);
CREATE INDEX course_owners_user_idx ON course_owners (user_id);

-- Courses already there: the instructors who published a version of them own them (courses loaded from folders
-- have no publisher; program admins keep them and may add owners).
INSERT INTO course_owners (course_id, user_id)
SELECT DISTINCT v.course_id, v.published_by
FROM course_versions v JOIN users u ON u.id = v.published_by
WHERE u.role = 'instructor'
ON CONFLICT DO NOTHING;

-- Content packages (cmi5, SCORM 1.2, SCORM 2004) imported into a course, their launchable units (cmi5 AUs, SCORM
-- SCOs), which package unit each published package activity shows in each language, and the units a learner has
-- satisfied. A package never changes once imported (its files sit under its own prefix in the store): a new upload is
-- a new package, so a published version pins exactly what its learners see.
CREATE TABLE packages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES courses (id),
    format text NOT NULL CHECK (format IN ('cmi5', 'scorm12', 'scorm2004')),
    language text NOT NULL CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    title jsonb NOT NULL,                 -- language map, from the manifest
    filename text NOT NULL,               -- the zip as uploaded, for the instructor's list
    s3_prefix text NOT NULL UNIQUE,       -- every file of the package is stored under it, by its path in the zip
    manifest jsonb NOT NULL,              -- the parsed structure (cmi5 course/blocks/objectives, SCORM organisation)
    file_count integer NOT NULL CHECK (file_count > 0),
    total_bytes bigint NOT NULL CHECK (total_bytes >= 0),
    uploaded_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX packages_course_idx ON packages (course_id, created_at DESC);

CREATE TABLE package_units (
    package_id uuid NOT NULL REFERENCES packages (id),
    position integer NOT NULL CHECK (position > 0),
    unit_id text NOT NULL,                -- cmi5 AU id (an IRI) or SCORM item identifier
    title jsonb NOT NULL,
    description jsonb NOT NULL DEFAULT '{}',
    launch text NOT NULL,                 -- relative to the package root (may carry a query), or an absolute URL (cmi5)
    move_on text CHECK (move_on IN ('Passed', 'Completed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable')),
    mastery_score numeric(5, 4) CHECK (mastery_score BETWEEN -1 AND 1),  -- cmi5 0..1, SCORM 2004 -1..1, SCORM 1.2 /100
    launch_method text CHECK (launch_method IN ('AnyWindow', 'OwnWindow')),
    launch_parameters text,
    entitlement_key text,
    extra jsonb NOT NULL DEFAULT '{}',    -- the rest a runtime needs: objectives, activityType, SCORM type, datafromlms ...
    PRIMARY KEY (package_id, unit_id),
    UNIQUE (package_id, position)
);

-- A package is never deleted while a version names it; nor are its units.
CREATE FUNCTION package_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'imported packages never change; import a new one';
END $$;
CREATE TRIGGER packages_frozen BEFORE UPDATE ON packages FOR EACH ROW EXECUTE FUNCTION package_is_frozen();
CREATE TRIGGER package_units_frozen BEFORE UPDATE ON package_units FOR EACH ROW EXECUTE FUNCTION package_is_frozen();

ALTER TABLE version_activities DROP CONSTRAINT version_activities_kind_check;
ALTER TABLE version_activities ADD CONSTRAINT version_activities_kind_check
    CHECK (kind IN ('lesson', 'quiz', 'in_person', 'checkoff', 'package'));

-- Which package unit a published package activity shows, per language (the learner gets hers, or a fallback).
CREATE TABLE version_activity_packages (
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    language text NOT NULL,
    package_id uuid NOT NULL,
    unit_id text NOT NULL,
    PRIMARY KEY (activity_id, language),
    FOREIGN KEY (package_id, unit_id) REFERENCES package_units (package_id, unit_id)
);
CREATE INDEX version_activity_packages_unit_idx ON version_activity_packages (package_id, unit_id);

-- A unit satisfied by an enrolment: cmi5 when moveOn is met, SCORM when the lesson status (or completion and success)
-- says so. Once per enrolment and activity; the runtimes insert ON CONFLICT DO NOTHING.
CREATE TABLE package_completions (
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    satisfied_at timestamptz NOT NULL DEFAULT now(),
    detail jsonb NOT NULL DEFAULT '{}',   -- what satisfied it: format, registration/attempt, score, status
    PRIMARY KEY (enrollment_id, activity_id)
);

CREATE OR REPLACE VIEW activity_progress AS
SELECT e.id AS enrollment_id,
       e.user_id,
       e.version_id,
       a.id AS activity_id,
       a.module_key,
       a.key AS activity_key,
       a.kind,
       a.position,
       a.minutes,
       a.title,
       CASE a.kind
           WHEN 'lesson' THEN EXISTS (
               SELECT 1 FROM statements s
               WHERE s.enrollment_id = e.id AND s.activity_id = a.id AND NOT s.voided
                 AND (s.verb IN ('http://adlnet.gov/expapi/verbs/completed', 'http://adlnet.gov/expapi/verbs/passed')
                      OR (s.result ->> 'completion') = 'true'))
           WHEN 'quiz' THEN EXISTS (
               SELECT 1 FROM quiz_attempts q WHERE q.enrollment_id = e.id AND q.activity_id = a.id AND q.passed)
           WHEN 'in_person' THEN EXISTS (
               SELECT 1 FROM attendance t JOIN inperson_sessions p ON p.id = t.session_id
               WHERE t.enrollment_id = e.id AND p.activity_id = a.id AND t.left_at IS NOT NULL
                 AND t.minutes >= v.min_attendance_share * least(a.minutes, p.minutes))
           WHEN 'checkoff' THEN EXISTS (
               SELECT 1 FROM checkoffs c WHERE c.enrollment_id = e.id AND c.activity_id = a.id)
           WHEN 'package' THEN EXISTS (
               SELECT 1 FROM package_completions pc WHERE pc.enrollment_id = e.id AND pc.activity_id = a.id)
       END AS done
FROM enrollments e
JOIN course_versions v ON v.id = e.version_id
JOIN version_activities a ON a.version_id = e.version_id;

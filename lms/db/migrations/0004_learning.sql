-- Learning records: enrolments, the xAPI statement log, quiz attempts, in-person sessions and attendance, skills
-- checkoffs, and completions recorded exactly once.

-- An enrolment's id is the xAPI registration. clinic_id is copied from the worker at enrolment so clinic-scoped
-- queries need no join through users (and a worker who changes clinic keeps the history where it happened).
CREATE TABLE enrollments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    version_id uuid NOT NULL REFERENCES course_versions (id),
    clinic_id uuid REFERENCES clinics (id),
    enrolled_at timestamptz NOT NULL DEFAULT now(),
    enrolled_by uuid REFERENCES users (id),
    completed_at timestamptz,             -- set once, in the same statement that inserts the completion row
    UNIQUE (user_id, version_id)
);
CREATE INDEX enrollments_version_idx ON enrollments (version_id);
CREATE INDEX enrollments_clinic_idx ON enrollments (clinic_id, version_id);

-- One row per completed enrolment: the primary key makes completion exactly-once however many requests race.
CREATE TABLE completions (
    enrollment_id uuid PRIMARY KEY REFERENCES enrollments (id),
    user_id uuid NOT NULL REFERENCES users (id),
    version_id uuid NOT NULL REFERENCES course_versions (id),
    completed_at timestamptz NOT NULL DEFAULT now(),
    statement_id uuid NOT NULL UNIQUE      -- the `completed` statement emitted for it
);
CREATE INDEX completions_user_idx ON completions (user_id);
CREATE INDEX completions_version_idx ON completions (version_id, completed_at);

CREATE FUNCTION enrollment_completion_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.completed_at IS NOT NULL AND NEW.completed_at IS DISTINCT FROM OLD.completed_at THEN
        RAISE EXCEPTION 'an enrolment''s completion is recorded once and never changes';
    END IF;
    IF (NEW.user_id, NEW.version_id) IS DISTINCT FROM (OLD.user_id, OLD.version_id) THEN
        RAISE EXCEPTION 'an enrolment never changes learner or course version';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER enrollments_completion_final BEFORE UPDATE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION enrollment_completion_is_final();

-- The immutable xAPI 1.0.3 statement log. `id` is the client-made statement id. `raw` is the statement as received
-- (normalised: id lower-case, no `stored`/`authority`/`version`), so "same id, same content" is jsonb equality.
-- A correction is a `voided` statement whose target gets voided = true; nothing is ever deleted.
-- This is the hot ingest path (batches of 500), so user_id, enrollment_id and activity_id carry no foreign keys:
-- each is resolved by a join in the very statement that inserts the row (the caller, their enrolment, an activity
-- of a published version), and none of those rows is ever deleted (users are deactivated, versions are frozen).
CREATE TABLE statements (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    enrollment_id uuid,
    verb text NOT NULL,
    activity_iri text,                      -- object.id for an Activity; NULL for a StatementRef
    activity_id uuid,
    voids_id uuid,                          -- object.id for a StatementRef (verb voided)
    result jsonb,
    context jsonb,
    timestamp timestamptz NOT NULL,
    stored timestamptz NOT NULL DEFAULT now(),
    raw jsonb NOT NULL,
    voided boolean NOT NULL DEFAULT false,
    CHECK ((activity_iri IS NULL) <> (voids_id IS NULL))
);
CREATE INDEX statements_user_idx ON statements (user_id, stored DESC);
CREATE INDEX statements_enrollment_idx ON statements (enrollment_id, stored DESC) WHERE enrollment_id IS NOT NULL;
-- Only the statements that finish a lesson (the predicate repeats the one in activity_progress, so the view uses it).
CREATE INDEX statements_done_idx ON statements (enrollment_id, activity_id)
    WHERE NOT voided AND (verb IN ('http://adlnet.gov/expapi/verbs/completed', 'http://adlnet.gov/expapi/verbs/passed')
                          OR (result ->> 'completion') = 'true');

CREATE FUNCTION statement_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'statements are never deleted; void them';
    END IF;
    IF NEW.voided = OLD.voided OR OLD.voided
       OR (NEW.id, NEW.user_id, NEW.enrollment_id, NEW.verb, NEW.activity_iri, NEW.activity_id, NEW.voids_id, NEW.result,
           NEW.context, NEW.raw, NEW.timestamp, NEW.stored)
          IS DISTINCT FROM
          (OLD.id, OLD.user_id, OLD.enrollment_id, OLD.verb, OLD.activity_iri, OLD.activity_id, OLD.voids_id, OLD.result,
           OLD.context, OLD.raw, OLD.timestamp, OLD.stored) THEN
        RAISE EXCEPTION 'statements are immutable; only voiding is allowed';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER statements_immutable BEFORE UPDATE OR DELETE ON statements
    FOR EACH ROW EXECUTE FUNCTION statement_is_immutable();

-- Quiz attempts, graded on the server. `id` comes from the quiz form so a double submission counts once;
-- (enrollment, activity, number) unique enforces max_attempts under concurrency.
CREATE TABLE quiz_attempts (
    id uuid PRIMARY KEY,
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    number integer NOT NULL CHECK (number > 0),
    answers jsonb NOT NULL,
    score double precision NOT NULL CHECK (score BETWEEN 0 AND 1),
    passed boolean NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    statement_id uuid NOT NULL,
    UNIQUE (enrollment_id, activity_id, number)
);

-- In-person sessions of an in-person activity, at a clinic site.
CREATE TABLE inperson_sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    minutes integer GENERATED ALWAYS AS ((extract(epoch FROM ends_at - starts_at) / 60)::integer) STORED,
    clinic_id uuid NOT NULL REFERENCES clinics (id),
    room text NOT NULL CHECK (length(room) BETWEEN 1 AND 120),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 1000),
    language text NOT NULL CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    instructor_id uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    CHECK (ends_at > starts_at AND ends_at - starts_at <= interval '24 hours')
);
CREATE INDEX inperson_sessions_activity_idx ON inperson_sessions (activity_id, starts_at);
CREATE INDEX inperson_sessions_instructor_idx ON inperson_sessions (instructor_id, starts_at);

CREATE TABLE session_registrations (
    session_id uuid NOT NULL REFERENCES inperson_sessions (id),
    user_id uuid NOT NULL REFERENCES users (id),
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    registered_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_registrations_user_idx ON session_registrations (user_id);

-- One attendance record per worker per session, however many scans or roster saves arrive. `minutes` are the
-- minutes actually attended (late arrival: from arrival to the session's end), the basis of contact hours.
CREATE TABLE attendance (
    session_id uuid NOT NULL REFERENCES inperson_sessions (id),
    user_id uuid NOT NULL REFERENCES users (id),
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    arrived_at timestamptz NOT NULL,
    left_at timestamptz NOT NULL,
    minutes integer NOT NULL CHECK (minutes >= 0),
    recorded_by uuid NOT NULL REFERENCES users (id),
    method text NOT NULL CHECK (method IN ('roster', 'qr')),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id),
    CHECK (left_at >= arrived_at)
);
CREATE INDEX attendance_enrollment_idx ON attendance (enrollment_id);

-- A hands-on skill signed off by an instructor.
CREATE TABLE checkoffs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    instructor_id uuid NOT NULL REFERENCES users (id),
    signed_at timestamptz NOT NULL DEFAULT now(),
    note text NOT NULL DEFAULT '' CHECK (length(note) <= 2000),
    UNIQUE (enrollment_id, activity_id)
);

-- Per enrolment and activity of its version: is it done? Every activity is required (cmi5 moveOn in spirit):
--   lesson     a non-voided completed/passed statement, or one with result.completion = true
--   quiz       a server-graded attempt that passed at the quiz's pass mark
--   in_person  an attendance record with minutes >= min_attendance_share of the activity's minutes
--              (or of the session's length when the session is shorter)
--   checkoff   signed by an instructor
CREATE VIEW activity_progress AS
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
               WHERE t.enrollment_id = e.id AND p.activity_id = a.id
                 AND t.minutes >= v.min_attendance_share * least(a.minutes, p.minutes))
           WHEN 'checkoff' THEN EXISTS (
               SELECT 1 FROM checkoffs c WHERE c.enrollment_id = e.id AND c.activity_id = a.id)
       END AS done
FROM enrollments e
JOIN course_versions v ON v.id = e.version_id
JOIN version_activities a ON a.version_id = e.version_id;

-- Attendance is minutes actually present: a scan records the arrival and leaves the record open; a second scan (check
-- out), the instructor closing the roster, or the end of the session closes it. Only closed records count, so no
-- credit or completion rests on minutes that have not happened yet.
ALTER TABLE attendance ALTER COLUMN left_at DROP NOT NULL;
ALTER TABLE attendance DROP CONSTRAINT attendance_method_check;
ALTER TABLE attendance ADD CONSTRAINT attendance_method_check CHECK (method IN ('roster', 'qr', 'code'));
-- An open record has counted nothing yet.
ALTER TABLE attendance ADD CONSTRAINT attendance_open_counts_nothing CHECK (left_at IS NOT NULL OR minutes = 0);

-- The roster closed by the instructor: later scans are refused, open records were closed at that moment.
ALTER TABLE inperson_sessions ADD COLUMN roster_closed_at timestamptz;
-- A short code a worker types by hand (6 characters, no look-alikes), good for the session's check-in window. Made
-- on first need; unique for ever so an old code never leads to a new session.
ALTER TABLE inperson_sessions ADD COLUMN checkin_code text UNIQUE CHECK (checkin_code ~ '^[2-9A-HJKMNP-Z]{6}$');

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
       END AS done
FROM enrollments e
JOIN course_versions v ON v.id = e.version_id
JOIN version_activities a ON a.version_id = e.version_id;

-- Worker voice (anonymous surveys), summary tables for the dashboards kept current by triggers, the partnership's
-- targets as data, and indexes for the audit log viewer.

-- ---------------------------------------------------------------- surveys

-- A survey is translated like course content: `title`, `intro` and each question's `prompt` are language maps.
-- questions: [{"key": "relevance", "kind": "likert" | "text", "prompt": {"en": "...", "es": "..."}}]
-- Post-course surveys are offered after a completion (the one marked default); on-demand surveys are open for a period.
CREATE TABLE surveys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('post_course', 'on_demand')),
    title jsonb NOT NULL,
    intro jsonb NOT NULL DEFAULT '{}',
    questions jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array'),
    languages text[] NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    opens_at timestamptz,
    closes_at timestamptz,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT is_default OR kind = 'post_course'),
    CHECK (kind = 'post_course' OR (opens_at IS NOT NULL AND closes_at IS NOT NULL AND closes_at > opens_at))
);
CREATE UNIQUE INDEX surveys_one_default ON surveys ((true)) WHERE is_default;

-- Who has answered, only to refuse a second answer. Deliberately no time and no link to the answer rows.
CREATE TABLE survey_respondents (
    survey_id uuid NOT NULL REFERENCES surveys (id),
    user_id uuid NOT NULL REFERENCES users (id),
    version_id uuid REFERENCES course_versions (id),       -- post-course surveys: one answer per course version
    CONSTRAINT survey_respondents_once UNIQUE NULLS NOT DISTINCT (survey_id, user_id, version_id)
);

-- One answered survey, WITHOUT the worker's identity: only the group attributes breakdowns need, and the day.
CREATE TABLE survey_responses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    survey_id uuid NOT NULL REFERENCES surveys (id),
    version_id uuid REFERENCES course_versions (id),
    track text,
    clinic_id uuid REFERENCES clinics (id),
    local_id uuid REFERENCES union_locals (id),
    language text NOT NULL,                                  -- base language the survey was answered in (en, es ...)
    submitted_on date NOT NULL
);
CREATE INDEX survey_responses_survey_idx ON survey_responses (survey_id, submitted_on);

CREATE TABLE survey_answers (
    response_id uuid NOT NULL REFERENCES survey_responses (id),
    question_key text NOT NULL,
    score smallint CHECK (score BETWEEN 1 AND 5),            -- Likert: 1 strongly disagree .. 5 strongly agree
    comment text CHECK (length(comment) BETWEEN 1 AND 2000), -- free text
    PRIMARY KEY (response_id, question_key),
    CHECK ((score IS NULL) <> (comment IS NULL))
);

INSERT INTO surveys (kind, is_default, languages, title, intro, questions) VALUES (
    'post_course', true, '{en,es}',
    '{"en": "How was this course?", "es": "¿Qué le pareció este curso?"}',
    '{"en": "Your answers are anonymous: they are stored without your name, and results are shown only for groups of 5 or more people. Every question is optional.",
      "es": "Sus respuestas son anónimas: se guardan sin su nombre y los resultados solo se muestran para grupos de 5 personas o más. Todas las preguntas son opcionales."}',
    '[{"key": "relevance", "kind": "likert",
       "prompt": {"en": "What I learned is useful in my job.", "es": "Lo que aprendí me sirve en mi trabajo."}},
      {"key": "schedule", "kind": "likert",
       "prompt": {"en": "The training schedule fit my work and family life.", "es": "El horario de la capacitación se adaptó a mi trabajo y a mi vida familiar."}},
      {"key": "language", "kind": "likert",
       "prompt": {"en": "The course was offered in a language I understand well.", "es": "El curso se ofreció en un idioma que entiendo bien."}},
      {"key": "instructor", "kind": "likert",
       "prompt": {"en": "The instructor explained things clearly and answered my questions.", "es": "El instructor explicó con claridad y respondió mis preguntas."}},
      {"key": "next-training", "kind": "text",
       "prompt": {"en": "What training would you like to take next?", "es": "¿Qué capacitación le gustaría tomar después?"}}]'
);

-- ---------------------------------------------------------------- summary tables

-- California dates: a day in these tables is a day in the partnership's time zone.
CREATE FUNCTION report_day(at timestamptz) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (at AT TIME ZONE 'America/Los_Angeles')::date
$$;

CREATE FUNCTION report_language(tag text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT lower(split_part(tag, '-', 1))
$$;

-- Outcomes per day and group (track of the course; the worker's clinic at enrolment, union local and base language at
-- the time of the event). Dashboards sum these rows and never read statements. Kept current by the statement-level
-- triggers below (one upsert per statement, however many rows it inserts), rebuilt whole by report_rebuild().
CREATE TABLE report_daily (
    day date NOT NULL,
    track text NOT NULL,
    clinic_id uuid,
    local_id uuid,
    language text NOT NULL,
    enrolled integer NOT NULL DEFAULT 0,            -- enrolments
    new_participants integer NOT NULL DEFAULT 0,    -- workers whose first enrolment in this track fell on this day
    completed integer NOT NULL DEFAULT 0,           -- completions
    certificates integer NOT NULL DEFAULT 0,        -- certificates issued that day and not revoked
    revoked integer NOT NULL DEFAULT 0,             -- certificates issued that day and revoked since
    credit_minutes bigint NOT NULL DEFAULT 0,       -- contact minutes on those (unrevoked) certificates
    inperson_minutes bigint NOT NULL DEFAULT 0,     -- minutes attended in person
    CONSTRAINT report_daily_key UNIQUE NULLS NOT DISTINCT (day, track, clinic_id, local_id, language)
);
CREATE INDEX report_daily_clinic_idx ON report_daily (clinic_id, day);

-- The same per month (`day` is the month's first day): a year of dashboard reads a few thousand rows here, and only
-- the partial months at the ends of a period come from report_daily. Kept equal to the sum of report_daily's rows by
-- the triggers on report_daily below, whatever writes report_daily.
CREATE TABLE report_monthly (LIKE report_daily INCLUDING DEFAULTS,
    CONSTRAINT report_monthly_key UNIQUE NULLS NOT DISTINCT (day, track, clinic_id, local_id, language),
    CHECK (extract(day FROM day) = 1));
CREATE INDEX report_monthly_clinic_idx ON report_monthly (clinic_id, day);

CREATE FUNCTION report_daily_to_monthly() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    columns text := 'day, track, clinic_id, local_id, language, enrolled, new_participants, completed, certificates, revoked, '
                    'credit_minutes, inperson_minutes';
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT 1 AS sign, %s FROM added', columns)
        ELSE format('SELECT 1 AS sign, %s FROM added UNION ALL SELECT -1, %s FROM gone', columns, columns) END;
BEGIN
    EXECUTE format($q$
        INSERT INTO report_monthly AS m (day, track, clinic_id, local_id, language, enrolled, new_participants, completed,
                                         certificates, revoked, credit_minutes, inperson_minutes)
        SELECT date_trunc('month', c.day)::date, c.track, c.clinic_id, c.local_id, c.language,
               sum(c.sign * c.enrolled), sum(c.sign * c.new_participants), sum(c.sign * c.completed), sum(c.sign * c.certificates),
               sum(c.sign * c.revoked), sum(c.sign * c.credit_minutes), sum(c.sign * c.inperson_minutes)
        FROM (%s) c
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT report_monthly_key DO UPDATE SET
            enrolled = m.enrolled + EXCLUDED.enrolled, new_participants = m.new_participants + EXCLUDED.new_participants,
            completed = m.completed + EXCLUDED.completed, certificates = m.certificates + EXCLUDED.certificates,
            revoked = m.revoked + EXCLUDED.revoked, credit_minutes = m.credit_minutes + EXCLUDED.credit_minutes,
            inperson_minutes = m.inperson_minutes + EXCLUDED.inperson_minutes
    $q$, changes);
    RETURN NULL;
END $$;
CREATE TRIGGER report_monthly_added AFTER INSERT ON report_daily REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_daily_to_monthly();
CREATE TRIGGER report_monthly_changed AFTER UPDATE ON report_daily REFERENCING OLD TABLE AS gone NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_daily_to_monthly();

-- One row per worker and track: distinct workers (targets count people, not enrolments) without scanning enrolments.
CREATE TABLE report_worker_tracks (
    user_id uuid NOT NULL REFERENCES users (id),
    track text NOT NULL,
    clinic_id uuid,
    local_id uuid,
    language text NOT NULL,
    first_enrolled_on date NOT NULL,
    PRIMARY KEY (user_id, track)
);
CREATE INDEX report_worker_tracks_track_idx ON report_worker_tracks (track, first_enrolled_on) INCLUDE (user_id);
CREATE INDEX report_worker_tracks_language_idx ON report_worker_tracks (language);


-- The triggers: one upsert per statement (COPY and bulk enrolment included), rows in one lock order (no deadlocks
-- between concurrent writers), each adding only its own counters.
CREATE FUNCTION report_enrollments_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH src AS (
        SELECT a.user_id, report_day(a.enrolled_at) AS day, c.track, a.clinic_id, u.local_id, report_language(u.language) AS language
        FROM added a JOIN users u ON u.id = a.user_id
        JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
    ), firsts AS (
        INSERT INTO report_worker_tracks (user_id, track, clinic_id, local_id, language, first_enrolled_on)
        SELECT DISTINCT ON (user_id, track) user_id, track, clinic_id, local_id, language, day
        FROM src ORDER BY user_id, track, day
        ON CONFLICT (user_id, track) DO NOTHING
        RETURNING first_enrolled_on AS day, track, clinic_id, local_id, language
    ), counts AS (
        SELECT day, track, clinic_id, local_id, language, 1 AS enrolled, 0 AS new_participants FROM src
        UNION ALL
        SELECT day, track, clinic_id, local_id, language, 0, 1 FROM firsts
    )
    INSERT INTO report_daily AS d (day, track, clinic_id, local_id, language, enrolled, new_participants)
    SELECT day, track, clinic_id, local_id, language, sum(enrolled), sum(new_participants) FROM counts
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_daily_key DO UPDATE
        SET enrolled = d.enrolled + EXCLUDED.enrolled, new_participants = d.new_participants + EXCLUDED.new_participants;
    RETURN NULL;
END $$;
CREATE TRIGGER report_enrollments AFTER INSERT ON enrollments REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_enrollments_added();

CREATE FUNCTION report_completions_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_daily AS d (day, track, clinic_id, local_id, language, completed)
    SELECT report_day(a.completed_at), c.track, e.clinic_id, u.local_id, report_language(u.language), count(*)
    FROM added a JOIN enrollments e ON e.id = a.enrollment_id JOIN users u ON u.id = a.user_id
    JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_daily_key DO UPDATE SET completed = d.completed + EXCLUDED.completed;
    RETURN NULL;
END $$;
CREATE TRIGGER report_completions AFTER INSERT ON completions REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_completions_added();

-- Certificates count on the day they were issued; revoking one takes it (and its contact minutes) off that day.
CREATE FUNCTION report_certificates_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO report_daily AS d (day, track, clinic_id, local_id, language, certificates, revoked, credit_minutes)
        SELECT report_day(a.issued_at), c.track, e.clinic_id, u.local_id, report_language(u.language),
               count(*) FILTER (WHERE a.revoked_at IS NULL), count(*) FILTER (WHERE a.revoked_at IS NOT NULL),
               coalesce(sum((a.facts ->> 'contact_minutes')::bigint) FILTER (WHERE a.revoked_at IS NULL), 0)
        FROM added a JOIN enrollments e ON e.id = a.enrollment_id JOIN users u ON u.id = a.user_id
        JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT report_daily_key DO UPDATE
            SET certificates = d.certificates + EXCLUDED.certificates, revoked = d.revoked + EXCLUDED.revoked,
                credit_minutes = d.credit_minutes + EXCLUDED.credit_minutes;
    ELSE
        INSERT INTO report_daily AS d (day, track, clinic_id, local_id, language, certificates, revoked, credit_minutes)
        SELECT report_day(a.issued_at), c.track, e.clinic_id, u.local_id, report_language(u.language),
               -count(*), count(*), -coalesce(sum((a.facts ->> 'contact_minutes')::bigint), 0)
        FROM added a JOIN gone g ON g.id = a.id AND g.revoked_at IS NULL AND a.revoked_at IS NOT NULL
        JOIN enrollments e ON e.id = a.enrollment_id JOIN users u ON u.id = a.user_id
        JOIN course_versions v ON v.id = a.version_id JOIN courses c ON c.id = v.course_id
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT report_daily_key DO UPDATE
            SET certificates = d.certificates + EXCLUDED.certificates, revoked = d.revoked + EXCLUDED.revoked,
                credit_minutes = d.credit_minutes + EXCLUDED.credit_minutes;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER report_certificates_issued AFTER INSERT ON certificates REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_certificates_changed();
CREATE TRIGGER report_certificates_revoked AFTER UPDATE ON certificates REFERENCING OLD TABLE AS gone NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_certificates_changed();

-- Attendance is inserted, corrected (roster saves) and removed (marked absent): minutes move by the difference.
CREATE FUNCTION report_attendance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changes text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT enrollment_id, user_id, session_id, arrived_at, minutes::bigint AS delta FROM added'
        WHEN 'DELETE' THEN 'SELECT enrollment_id, user_id, session_id, arrived_at, -minutes::bigint FROM gone'
        ELSE 'SELECT enrollment_id, user_id, session_id, arrived_at, minutes::bigint FROM added
              UNION ALL SELECT enrollment_id, user_id, session_id, arrived_at, -minutes::bigint FROM gone' END;
BEGIN
    EXECUTE format($q$
        WITH changes (enrollment_id, user_id, session_id, arrived_at, delta) AS (%s)
        INSERT INTO report_daily AS d (day, track, clinic_id, local_id, language, inperson_minutes)
        SELECT report_day(t.arrived_at), c.track, e.clinic_id, u.local_id, report_language(u.language), sum(t.delta)
        FROM changes t JOIN enrollments e ON e.id = t.enrollment_id JOIN users u ON u.id = t.user_id
        JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT ON CONSTRAINT report_daily_key DO UPDATE SET inperson_minutes = d.inperson_minutes + EXCLUDED.inperson_minutes
    $q$, changes);
    RETURN NULL;
END $$;
CREATE TRIGGER report_attendance_added AFTER INSERT ON attendance REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_attendance_changed();
CREATE TRIGGER report_attendance_corrected AFTER UPDATE ON attendance REFERENCING OLD TABLE AS gone NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION report_attendance_changed();
CREATE TRIGGER report_attendance_removed AFTER DELETE ON attendance REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION report_attendance_changed();

-- Recompute both summary tables from the records (`lms reports refresh`): a repair, or a backfill after import.
-- Groups then use each worker's current local and language.
CREATE FUNCTION report_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE report_daily, report_monthly, report_worker_tracks;
    INSERT INTO report_worker_tracks (user_id, track, clinic_id, local_id, language, first_enrolled_on)
    SELECT DISTINCT ON (e.user_id, c.track) e.user_id, c.track, e.clinic_id, u.local_id, report_language(u.language),
           report_day(e.enrolled_at)
    FROM enrollments e JOIN users u ON u.id = e.user_id
    JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
    ORDER BY e.user_id, c.track, e.enrolled_at;

    INSERT INTO report_daily (day, track, clinic_id, local_id, language, enrolled, new_participants, completed,
                              certificates, revoked, credit_minutes, inperson_minutes)
    SELECT day, track, clinic_id, local_id, language, sum(enrolled), sum(new_participants), sum(completed),
           sum(certificates), sum(revoked), sum(credit_minutes), sum(inperson_minutes)
    FROM (
        SELECT report_day(e.enrolled_at) AS day, c.track, e.clinic_id, u.local_id, report_language(u.language) AS language,
               1 AS enrolled, 0 AS new_participants, 0 AS completed, 0 AS certificates, 0 AS revoked,
               0::bigint AS credit_minutes, 0::bigint AS inperson_minutes
        FROM enrollments e JOIN users u ON u.id = e.user_id
        JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
        UNION ALL
        SELECT first_enrolled_on, track, clinic_id, local_id, language, 0, 1, 0, 0, 0, 0, 0 FROM report_worker_tracks
        UNION ALL
        SELECT report_day(k.completed_at), c.track, e.clinic_id, u.local_id, report_language(u.language), 0, 0, 1, 0, 0, 0, 0
        FROM completions k JOIN enrollments e ON e.id = k.enrollment_id JOIN users u ON u.id = k.user_id
        JOIN course_versions v ON v.id = k.version_id JOIN courses c ON c.id = v.course_id
        UNION ALL
        SELECT report_day(x.issued_at), c.track, e.clinic_id, u.local_id, report_language(u.language), 0, 0, 0,
               (x.revoked_at IS NULL)::int, (x.revoked_at IS NOT NULL)::int,
               CASE WHEN x.revoked_at IS NULL THEN coalesce((x.facts ->> 'contact_minutes')::bigint, 0) ELSE 0 END, 0
        FROM certificates x JOIN enrollments e ON e.id = x.enrollment_id JOIN users u ON u.id = x.user_id
        JOIN course_versions v ON v.id = x.version_id JOIN courses c ON c.id = v.course_id
        UNION ALL
        SELECT report_day(t.arrived_at), c.track, e.clinic_id, u.local_id, report_language(u.language), 0, 0, 0, 0, 0, 0, t.minutes
        FROM attendance t JOIN enrollments e ON e.id = t.enrollment_id JOIN users u ON u.id = t.user_id
        JOIN course_versions v ON v.id = e.version_id JOIN courses c ON c.id = v.course_id
    ) events
    GROUP BY day, track, clinic_id, local_id, language;
END $$;

SELECT report_rebuild();

-- The end of the renewal cycle that contains `today` (cycles run back to back from `cycle_start`, months clamped to
-- the month's end the way lms.credit.renewal.current_cycle does it).
CREATE FUNCTION renewal_cycle_end(cycle_start date, cycle_months integer, today date) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    k integer := greatest(((extract(year FROM today) - extract(year FROM cycle_start)) * 12
                           + extract(month FROM today) - extract(month FROM cycle_start))::integer / cycle_months - 1, 0);
BEGIN
    WHILE (cycle_start + make_interval(months => cycle_months * (k + 1)))::date <= today LOOP
        k := k + 1;
    END LOOP;
    RETURN (cycle_start + make_interval(months => cycle_months * (k + 1)))::date;
END $$;

-- ---------------------------------------------------------------- targets

-- The partnership's targets, as data. measure:
--   certificates      certificates issued (not revoked) for courses in `tracks` within the period
--   completions       course completions in `tracks` within the period
--   workers_enrolled  distinct workers whose first enrolment in one of `tracks` falls within the period
CREATE TABLE program_targets (
    key text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
    name jsonb NOT NULL,
    description jsonb NOT NULL DEFAULT '{}',
    measure text NOT NULL CHECK (measure IN ('certificates', 'completions', 'workers_enrolled')),
    tracks text[] NOT NULL CHECK (tracks <@ '{MA,DA,CHW,EHR,CE}' AND cardinality(tracks) > 0),
    target integer NOT NULL CHECK (target > 0),
    period_start date NOT NULL,
    period_end date NOT NULL,
    position integer NOT NULL DEFAULT 0,
    CHECK (period_end >= period_start)
);

INSERT INTO program_targets (key, position, measure, tracks, target, period_start, period_end, name, description) VALUES
    ('industry_credentials', 1, 'certificates', '{MA,DA,CHW}', 400, '2026-01-01', '2028-12-31',
     '{"en": "Industry credentials", "es": "Credenciales de la industria"}',
     '{"en": "Certificates issued (not revoked) for Medical Assistant, Dental Assistant and Community Health Worker courses: the courses that earn or renew an industry credential (CCBMA/AAMA, RDA, Medi-Cal CHW).",
       "es": "Certificados emitidos (no revocados) en cursos de Asistente Médico, Asistente Dental y Trabajador Comunitario de Salud: los cursos que otorgan o renuevan una credencial de la industria (CCBMA/AAMA, RDA, CHW de Medi-Cal)."}'),
    ('ce_and_ehr', 2, 'workers_enrolled', '{CE,EHR}', 900, '2026-01-01', '2028-12-31',
     '{"en": "Workers in continuing education and EHR training", "es": "Trabajadores en educación continua y capacitación en EHR"}',
     '{"en": "Distinct workers enrolled in at least one Continuing Education or Electronic Health Records course.",
       "es": "Trabajadores distintos inscritos en al menos un curso de Educación Continua o de Expedientes Clínicos Electrónicos."}'),
    ('professional_development', 3, 'workers_enrolled', '{MA,DA,CHW,EHR,CE}', 1800, '2026-01-01', '2028-12-31',
     '{"en": "Workers in professional development", "es": "Trabajadores en desarrollo profesional"}',
     '{"en": "Distinct workers enrolled in at least one course of any track.",
       "es": "Trabajadores distintos inscritos en al menos un curso de cualquier área."}');

-- ---------------------------------------------------------------- audit log viewer

-- Keyset pages (newest first) filtered by action or actor.
CREATE INDEX audit_log_action_id_idx ON audit_log (action, id DESC);
CREATE INDEX audit_log_actor_id_idx ON audit_log (actor_id, id DESC);

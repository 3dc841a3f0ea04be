-- The partnership's programs beyond courses: the registered CHW apprenticeship, clinical preceptorship, tuition
-- reimbursement and career ladders, and the funder's three program targets beside the three course targets.
-- Hours are stored as minutes (like instruction everywhere else), money as cents. No immigration status, ever.

-- ---------------------------------------------------------------- apprenticeship

-- A program's standards, as data: California's time-based model (2,000 on-the-job hours, 144 hours of related
-- instruction) by default; a competency-based program completes on competencies signed off, not on hours.
CREATE TABLE apprenticeship_programs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name jsonb NOT NULL,
    model text NOT NULL DEFAULT 'time' CHECK (model IN ('time', 'competency')),
    ojt_hours integer NOT NULL DEFAULT 2000 CHECK (ojt_hours BETWEEN 1 AND 20000),
    ri_hours integer NOT NULL DEFAULT 144 CHECK (ri_hours BETWEEN 0 AND 5000),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- On-the-job hours are logged by work process, each with the hours the standards plan for it.
CREATE TABLE apprenticeship_work_processes (
    program_id uuid NOT NULL REFERENCES apprenticeship_programs (id),
    key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    position integer NOT NULL,
    name jsonb NOT NULL,
    hours integer NOT NULL CHECK (hours >= 0),
    PRIMARY KEY (program_id, key)
);

-- Wage steps: the hourly wage from a number of approved on-the-job hours on.
CREATE TABLE apprenticeship_wage_steps (
    program_id uuid NOT NULL REFERENCES apprenticeship_programs (id),
    step integer NOT NULL CHECK (step >= 1),
    from_hours integer NOT NULL CHECK (from_hours >= 0),
    hourly_cents integer NOT NULL CHECK (hourly_cents > 0),
    PRIMARY KEY (program_id, step),
    UNIQUE (program_id, from_hours)
);

CREATE TABLE apprenticeship_competencies (
    program_id uuid NOT NULL REFERENCES apprenticeship_programs (id),
    key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    position integer NOT NULL,
    name jsonb NOT NULL,
    PRIMARY KEY (program_id, key)
);

-- One apprentice in one program: her employer clinic and her mentor (any user: often a senior CHW or supervisor).
CREATE TABLE apprenticeships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    program_id uuid NOT NULL REFERENCES apprenticeship_programs (id),
    user_id uuid NOT NULL REFERENCES users (id),
    clinic_id uuid NOT NULL REFERENCES clinics (id),
    mentor_id uuid NOT NULL REFERENCES users (id),
    starts_on date NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'withdrawn')),
    completed_on date,
    placed_on date,
    placement text CHECK (length(placement) BETWEEN 2 AND 200),   -- the job: title and employer
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, program_id),
    CHECK (mentor_id <> user_id),
    CHECK ((status = 'completed') = (completed_on IS NOT NULL)),
    CHECK ((placed_on IS NULL) = (placement IS NULL))
);
CREATE INDEX apprenticeships_clinic_idx ON apprenticeships (clinic_id);
CREATE INDEX apprenticeships_mentor_idx ON apprenticeships (mentor_id);

-- A week of on-the-job hours (Monday to Sunday), as the apprentice sent it; the mentor approves it or returns it
-- with a note, and she fixes and sends it again.
CREATE TABLE ojt_weeks (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    apprenticeship_id uuid NOT NULL REFERENCES apprenticeships (id),
    week_start date NOT NULL CHECK (extract(isodow FROM week_start) = 1),
    status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'returned', 'approved')),
    note text CHECK (length(note) BETWEEN 1 AND 1000),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    decided_by uuid REFERENCES users (id),
    UNIQUE (apprenticeship_id, week_start),
    CHECK (status <> 'returned' OR note IS NOT NULL)
);

CREATE TABLE ojt_hours (
    week_id uuid NOT NULL REFERENCES ojt_weeks (id) ON DELETE CASCADE,
    work_process text NOT NULL,
    minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 10080),
    PRIMARY KEY (week_id, work_process)
);

CREATE TABLE competency_signoffs (
    apprenticeship_id uuid NOT NULL REFERENCES apprenticeships (id),
    competency text NOT NULL,
    signed_by uuid NOT NULL REFERENCES users (id),
    signed_on date NOT NULL DEFAULT current_date,
    PRIMARY KEY (apprenticeship_id, competency)
);

INSERT INTO apprenticeship_programs (key, name) VALUES
    ('chw', '{"en": "Community Health Worker registered apprenticeship", "es": "Aprendizaje registrado de Trabajador Comunitario de Salud"}');
INSERT INTO apprenticeship_work_processes (program_id, key, position, name, hours)
SELECT p.id, w.key, w.position, w.name::jsonb, w.hours FROM apprenticeship_programs p, (VALUES
    ('outreach', 1, '{"en": "Outreach and community engagement", "es": "Alcance y participación comunitaria"}', 500),
    ('navigation', 2, '{"en": "Care coordination and system navigation", "es": "Coordinación de la atención y orientación en el sistema"}', 600),
    ('education', 3, '{"en": "Health education and coaching", "es": "Educación y acompañamiento en salud"}', 500),
    ('documentation', 4, '{"en": "Documentation and reporting", "es": "Documentación e informes"}', 400)
) AS w (key, position, name, hours) WHERE p.key = 'chw';
INSERT INTO apprenticeship_wage_steps (program_id, step, from_hours, hourly_cents)
SELECT p.id, s.step, s.from_hours, s.cents FROM apprenticeship_programs p, (VALUES
    (1, 0, 2200), (2, 500, 2350), (3, 1000, 2500), (4, 1500, 2650), (5, 2000, 2800)
) AS s (step, from_hours, cents) WHERE p.key = 'chw';
INSERT INTO apprenticeship_competencies (program_id, key, position, name)
SELECT p.id, c.key, c.position, c.name::jsonb FROM apprenticeship_programs p, (VALUES
    ('communication', 1, '{"en": "Communicates with clients in their language and culture", "es": "Se comunica con los clientes en su idioma y cultura"}'),
    ('referrals', 2, '{"en": "Makes and follows up referrals", "es": "Hace referencias y les da seguimiento"}'),
    ('ethics', 3, '{"en": "Keeps confidentiality and professional ethics", "es": "Mantiene la confidencialidad y la ética profesional"}')
) AS c (key, position, name) WHERE p.key = 'chw';

-- ---------------------------------------------------------------- preceptorship and clinical supervision

-- Required supervised hours per role and board, with the competencies a preceptor evaluates.
-- competencies: [{"key": "...", "name": {"en": "...", "es": "..."}}]
CREATE TABLE supervision_requirements (
    role_key text NOT NULL CHECK (role_key ~ '^[a-z0-9][a-z0-9-]{0,30}$'),
    board text NOT NULL CHECK (length(board) BETWEEN 2 AND 40),
    name jsonb NOT NULL,
    required_hours integer NOT NULL CHECK (required_hours BETWEEN 1 AND 10000),
    competencies jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(competencies) = 'array'),
    PRIMARY KEY (role_key, board)
);

CREATE TABLE preceptorships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    preceptor_id uuid NOT NULL REFERENCES users (id),
    clinic_id uuid NOT NULL REFERENCES clinics (id),
    role_key text NOT NULL,
    board text NOT NULL,
    starts_on date NOT NULL,
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'ended')),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (role_key, board) REFERENCES supervision_requirements (role_key, board),
    CHECK (preceptor_id <> user_id)
);
CREATE INDEX preceptorships_user_idx ON preceptorships (user_id);
CREATE INDEX preceptorships_preceptor_idx ON preceptorships (preceptor_id);
CREATE INDEX preceptorships_clinic_idx ON preceptorships (clinic_id);

CREATE TABLE supervised_hours (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    preceptorship_id uuid NOT NULL REFERENCES preceptorships (id),
    day date NOT NULL,
    minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 960),
    activity text NOT NULL CHECK (length(activity) BETWEEN 2 AND 300),
    status text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'signed', 'returned')),
    note text CHECK (length(note) BETWEEN 1 AND 1000),
    decided_by uuid REFERENCES users (id),
    decided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'returned' OR note IS NOT NULL)
);
CREATE INDEX supervised_hours_preceptorship_idx ON supervised_hours (preceptorship_id, day);

-- A preceptor's evaluation of one competency: 1 not yet, 2 with help, 3 with supervision, 4 independently.
CREATE TABLE preceptor_evaluations (
    preceptorship_id uuid NOT NULL REFERENCES preceptorships (id),
    competency text NOT NULL,
    rating smallint NOT NULL CHECK (rating BETWEEN 1 AND 4),
    note text CHECK (length(note) BETWEEN 1 AND 1000),
    evaluated_by uuid NOT NULL REFERENCES users (id),
    evaluated_on date NOT NULL DEFAULT current_date,
    PRIMARY KEY (preceptorship_id, competency)
);

INSERT INTO supervision_requirements (role_key, board, name, required_hours, competencies) VALUES
    ('rn', 'BRN', '{"en": "Registered Nurse", "es": "Enfermera registrada"}', 120,
     '[{"key": "assessment", "name": {"en": "Patient assessment", "es": "Valoración del paciente"}},
       {"key": "medications", "name": {"en": "Safe medication administration", "es": "Administración segura de medicamentos"}}]'),
    ('rda', 'DBC', '{"en": "Registered Dental Assistant", "es": "Asistente dental registrada"}', 80,
     '[{"key": "infection-control", "name": {"en": "Infection control", "es": "Control de infecciones"}},
       {"key": "radiography", "name": {"en": "Dental radiography", "es": "Radiografía dental"}}]'),
    ('amft', 'BBS', '{"en": "Associate Marriage and Family Therapist", "es": "Terapeuta matrimonial y familiar asociado"}', 3000,
     '[{"key": "clinical-skills", "name": {"en": "Clinical skills", "es": "Habilidades clínicas"}},
       {"key": "ethics", "name": {"en": "Law and ethics", "es": "Ley y ética"}}]');

-- ---------------------------------------------------------------- tuition reimbursement

-- The most a worker is reimbursed in a calendar year (default: the federal tax-free limit for educational assistance).
CREATE TABLE tuition_caps (
    year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
    cap_cents integer NOT NULL CHECK (cap_cents > 0)
);
INSERT INTO tuition_caps (year, cap_cents) VALUES (2026, 525000), (2027, 525000), (2028, 525000);

-- submitted -> clinic_approved -> approved -> paid; the clinic or the partnership may return it with a reason, and the
-- worker fixes and sends it again (submitted).
CREATE TABLE tuition_requests (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    clinic_id uuid NOT NULL REFERENCES clinics (id),
    field text NOT NULL CHECK (field IN ('nursing', 'social_work', 'dental', 'behavioral_health', 'other')),
    program text NOT NULL CHECK (length(program) BETWEEN 2 AND 200),
    school text NOT NULL CHECK (length(school) BETWEEN 2 AND 200),
    term text NOT NULL CHECK (length(term) BETWEEN 2 AND 60),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    cost_cents integer NOT NULL CHECK (cost_cents BETWEEN 1 AND 10000000),
    status text NOT NULL DEFAULT 'submitted'
        CHECK (status IN ('submitted', 'clinic_approved', 'approved', 'paid', 'returned')),
    returned_reason text CHECK (length(returned_reason) BETWEEN 2 AND 1000),
    clinic_decided_by uuid REFERENCES users (id),
    clinic_decided_at timestamptz,
    approved_cents integer CHECK (approved_cents BETWEEN 0 AND 10000000),
    approved_by uuid REFERENCES users (id),
    approved_at timestamptz,
    paid_cents integer CHECK (paid_cents BETWEEN 0 AND 10000000),
    paid_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'returned' OR returned_reason IS NOT NULL),
    CHECK (status NOT IN ('approved', 'paid') OR approved_cents IS NOT NULL),
    CHECK (status <> 'paid' OR paid_cents IS NOT NULL)
);
CREATE INDEX tuition_requests_user_idx ON tuition_requests (user_id, year);
CREATE INDEX tuition_requests_clinic_idx ON tuition_requests (clinic_id, status);

-- Receipts and grades: stored in the object store, under a key the service chooses; checked by their first bytes.
CREATE TABLE tuition_documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    request_id uuid NOT NULL REFERENCES tuition_requests (id),
    kind text NOT NULL CHECK (kind IN ('receipt', 'grades')),
    filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
    content_type text NOT NULL,
    storage_key text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tuition_documents_request_idx ON tuition_documents (request_id);

-- ---------------------------------------------------------------- career ladders

CREATE TABLE career_ladders (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key text NOT NULL UNIQUE CHECK (key ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name jsonb NOT NULL,
    position integer NOT NULL DEFAULT 0
);

-- A step is reached by: a completion of course `ref` (course), a credential `ref` on record (credential), completing
-- apprenticeship program `ref` (apprenticeship), a reimbursed degree in field `ref` (tuition), or a record by the
-- worker's clinic admin or a program admin (outside: a program elsewhere).
CREATE TABLE ladder_steps (
    ladder_id uuid NOT NULL REFERENCES career_ladders (id),
    position integer NOT NULL CHECK (position >= 1),
    kind text NOT NULL CHECK (kind IN ('course', 'credential', 'outside', 'apprenticeship', 'tuition')),
    ref text NOT NULL DEFAULT '' CHECK (length(ref) <= 100),
    name jsonb NOT NULL,
    PRIMARY KEY (ladder_id, position)
);

CREATE TABLE ladder_step_records (
    user_id uuid NOT NULL REFERENCES users (id),
    ladder_id uuid NOT NULL,
    position integer NOT NULL,
    reached_on date NOT NULL,
    recorded_by uuid NOT NULL REFERENCES users (id),
    FOREIGN KEY (ladder_id, position) REFERENCES ladder_steps (ladder_id, position),
    PRIMARY KEY (user_id, ladder_id, position)
);

INSERT INTO career_ladders (key, position, name) VALUES
    ('ma-lvn-rn', 1, '{"en": "Medical Assistant to LVN to RN", "es": "De asistente médico a LVN y a enfermera registrada"}'),
    ('da-rda', 2, '{"en": "Dental Assistant to Registered Dental Assistant", "es": "De asistente dental a asistente dental registrada"}'),
    ('chw', 3, '{"en": "Community Health Worker onward", "es": "Trabajador comunitario de salud y más allá"}');
INSERT INTO ladder_steps (ladder_id, position, kind, ref, name)
SELECT l.id, s.position, s.kind, s.ref, s.name::jsonb FROM career_ladders l JOIN (VALUES
    ('ma-lvn-rn', 1, 'credential', 'CCBMA_CMA', '{"en": "Certified Medical Assistant (CCBMA)", "es": "Asistente médico certificado (CCBMA)"}'),
    ('ma-lvn-rn', 2, 'tuition', 'nursing', '{"en": "Vocational nursing program (LVN), tuition reimbursed", "es": "Programa de enfermería vocacional (LVN), con reembolso de matrícula"}'),
    ('ma-lvn-rn', 3, 'outside', '', '{"en": "Registered Nurse licence (RN)", "es": "Licencia de enfermera registrada (RN)"}'),
    ('da-rda', 1, 'outside', '', '{"en": "Dental Assistant: infection control and radiation safety courses", "es": "Asistente dental: cursos de control de infecciones y seguridad radiológica"}'),
    ('da-rda', 2, 'credential', 'RDA', '{"en": "Registered Dental Assistant licence (RDA)", "es": "Licencia de asistente dental registrada (RDA)"}'),
    ('chw', 1, 'apprenticeship', 'chw', '{"en": "CHW registered apprenticeship completed", "es": "Aprendizaje registrado de CHW terminado"}'),
    ('chw', 2, 'credential', 'CHW', '{"en": "Medi-Cal CHW: yearly training on record", "es": "CHW de Medi-Cal: capacitación anual registrada"}'),
    ('chw', 3, 'tuition', 'social_work', '{"en": "Social work degree, tuition reimbursed", "es": "Título en trabajo social, con reembolso de matrícula"}')
) AS s (ladder, position, kind, ref, name) ON s.ladder = l.key;

-- ---------------------------------------------------------------- the funder's targets

-- Three more measures, counted from the program tables (tracks do not apply to them):
--   apprentices_placed     apprentices placed in a job, on the day of placement
--   tuition_reimbursed     distinct workers with a tuition request approved by the partnership, on the day of approval
--   preceptorship_workers  distinct workers with a preceptor assignment that starts in the period
ALTER TABLE program_targets DROP CONSTRAINT program_targets_measure_check;
ALTER TABLE program_targets DROP CONSTRAINT program_targets_tracks_check;
ALTER TABLE program_targets ADD CONSTRAINT program_targets_measure_check CHECK (measure IN (
    'certificates', 'completions', 'workers_enrolled', 'apprentices_placed', 'tuition_reimbursed', 'preceptorship_workers'));
ALTER TABLE program_targets ADD CONSTRAINT program_targets_tracks_check CHECK (tracks <@ '{MA,DA,CHW,EHR,CE}' AND (
    cardinality(tracks) > 0 OR measure IN ('apprentices_placed', 'tuition_reimbursed', 'preceptorship_workers')));

INSERT INTO program_targets (key, position, measure, tracks, target, period_start, period_end, name, description) VALUES
    ('apprentices', 4, 'apprentices_placed', '{}', 10, '2026-01-01', '2028-12-31',
     '{"en": "Apprentices placed in a job", "es": "Aprendices colocados en un empleo"}',
     '{"en": "Registered CHW apprentices whose job placement was recorded, counted on the day of placement.",
       "es": "Aprendices registrados de CHW cuya colocación en un empleo quedó registrada, contados el día de la colocación."}'),
    ('tuition', 5, 'tuition_reimbursed', '{}', 200, '2026-01-01', '2028-12-31',
     '{"en": "Workers with tuition reimbursed", "es": "Trabajadores con reembolso de matrícula"}',
     '{"en": "Distinct workers with at least one tuition request approved by the partnership (after their clinic), counted on the day of approval.",
       "es": "Trabajadores distintos con al menos una solicitud de reembolso de matrícula aprobada por la alianza (después de su clínica), contados el día de la aprobación."}'),
    ('preceptorship', 6, 'preceptorship_workers', '{}', 100, '2026-01-01', '2028-12-31',
     '{"en": "Workers in clinical supervision and preceptorship", "es": "Trabajadores en supervisión clínica y preceptoría"}',
     '{"en": "Distinct workers with a preceptor assignment (nursing, dental or behavioral health) that starts in the period.",
       "es": "Trabajadores distintos con una asignación de preceptor (enfermería, odontología o salud conductual) que comienza en el periodo."}');

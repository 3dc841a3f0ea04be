-- Continuing-education credit as data, certificates frozen at issue, signing keys, and renewal requirements.

-- How an accrediting body turns contact minutes into credit. A new body or a changed rule is a row, not code.
CREATE TABLE accrediting_bodies (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
    name text NOT NULL,
    unit text NOT NULL CHECK (unit IN ('ceu', 'unit', 'credit', 'point', 'hour')),
    minutes_per_unit integer NOT NULL CHECK (minutes_per_unit > 0),
    rounding text NOT NULL CHECK (rounding IN ('floor', 'round', 'ceil')),
    step numeric(6, 3) NOT NULL CHECK (step > 0),           -- round to a multiple of this (0.1, 0.25, 1)
    counts_live boolean NOT NULL,                           -- in-person attendance and checkoffs
    counts_self_paced boolean NOT NULL,                     -- online lessons and quizzes
    min_minutes integer NOT NULL DEFAULT 0 CHECK (min_minutes >= 0)
);

-- A body's credit categories (the `category` of a version approval): caps and expiry.
CREATE TABLE credit_categories (
    body text NOT NULL REFERENCES accrediting_bodies (code),
    category text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_]{1,62}$'),
    name jsonb NOT NULL,
    max_units numeric(6, 2) CHECK (max_units > 0),          -- at most this much credit per course and per cycle
    valid_months integer CHECK (valid_months > 0),          -- a certificate in this category expires
    PRIMARY KEY (body, category)
);

INSERT INTO accrediting_bodies (code, name, unit, minutes_per_unit, rounding, step, counts_live, counts_self_paced, min_minutes) VALUES
    ('IACET', 'IACET', 'ceu', 600, 'floor', 0.1, true, true, 0),                       -- 1 CEU = 10 contact hours
    ('DBC', 'Dental Board of California', 'unit', 60, 'floor', 0.1, true, true, 0),   -- 1 unit = 1 contact hour
    ('CCBMA', 'California Certifying Board for Medical Assistants', 'credit', 60, 'floor', 0.1, true, true, 0),
    ('AAMA', 'American Association of Medical Assistants', 'point', 50, 'floor', 0.1, true, true, 50),  -- at least one 50-minute contact hour
    ('DHCS_CHW', 'California Department of Health Care Services (CHW)', 'hour', 60, 'floor', 0.1, true, true, 0);

INSERT INTO credit_categories (body, category, name, max_units, valid_months) VALUES
    ('DBC', 'infection_control', '{"en": "Infection Control", "es": "Control de infecciones"}', NULL, NULL),
    ('DBC', 'dental_practice_act', '{"en": "California Dental Practice Act", "es": "Ley de Práctica Dental de California"}', NULL, NULL),
    ('DBC', 'bls', '{"en": "Basic Life Support", "es": "Soporte vital básico"}', 4, 24),
    ('CCBMA', 'hipaa', '{"en": "HIPAA", "es": "HIPAA"}', NULL, NULL),
    ('CCBMA', 'cultural_competency', '{"en": "Cultural competency", "es": "Competencia cultural"}', NULL, NULL),
    ('CCBMA', 'cpr', '{"en": "CPR", "es": "RCP"}', NULL, 24),
    ('AAMA', 'administrative', '{"en": "Administrative", "es": "Administrativo"}', NULL, NULL),
    ('AAMA', 'clinical', '{"en": "Clinical", "es": "Clínico"}', NULL, NULL),
    ('AAMA', 'general', '{"en": "General", "es": "General"}', NULL, NULL);

-- What a credential needs at renewal: credit from one body per cycle, with category minimums. A new credential is
-- a row here (and in credential_category_minimums), not new code.
CREATE TABLE credential_requirements (
    credential text PRIMARY KEY CHECK (credential ~ '^[A-Z][A-Z0-9_]{1,31}$'),
    name jsonb NOT NULL,
    body text NOT NULL REFERENCES accrediting_bodies (code),
    units numeric(6, 2) NOT NULL CHECK (units > 0),
    cycle_months integer NOT NULL CHECK (cycle_months > 0),
    max_non_live_share numeric(4, 3) CHECK (max_non_live_share BETWEEN 0 AND 1)
);

-- min_units 0 with needs_live: "a course in this category with an in-person part" (BLS with a skills part).
CREATE TABLE credential_category_minimums (
    credential text NOT NULL REFERENCES credential_requirements (credential),
    category text NOT NULL,
    min_units numeric(6, 2) NOT NULL CHECK (min_units >= 0),
    needs_live boolean NOT NULL DEFAULT false,
    PRIMARY KEY (credential, category)
);

INSERT INTO credential_requirements (credential, name, body, units, cycle_months, max_non_live_share) VALUES
    ('RDA', '{"en": "Registered Dental Assistant (RDA)", "es": "Asistente dental registrado (RDA)"}', 'DBC', 25, 24, 0.5),
    ('CHW', '{"en": "Community Health Worker (Medi-Cal)", "es": "Trabajador comunitario de salud (Medi-Cal)"}', 'DHCS_CHW', 6, 12, NULL),
    ('CCBMA_CMA', '{"en": "California Certified Medical Assistant (CCBMA)", "es": "Asistente médico certificado de California (CCBMA)"}', 'CCBMA', 60, 60, NULL),
    ('AAMA_CMA', '{"en": "Certified Medical Assistant (AAMA)", "es": "Asistente médico certificado (AAMA)"}', 'AAMA', 60, 60, NULL);

INSERT INTO credential_category_minimums (credential, category, min_units, needs_live) VALUES
    ('RDA', 'infection_control', 2, false),
    ('RDA', 'dental_practice_act', 2, false),
    ('RDA', 'bls', 0, true),
    ('AAMA_CMA', 'administrative', 10, false),
    ('AAMA_CMA', 'clinical', 10, false),
    ('AAMA_CMA', 'general', 10, false);

-- Which credentials a worker holds, and when their renewal cycles started (cycles run back to back from there).
CREATE TABLE worker_credentials (
    user_id uuid NOT NULL REFERENCES users (id),
    credential text NOT NULL REFERENCES credential_requirements (credential),
    cycle_start date NOT NULL,
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, credential)
);

-- The service's Ed25519 keys. The private key is encrypted (AES-256-GCM) with a key derived from LMS_SECRET_KEY.
-- Retired keys stay published in the DID document so credentials they signed still verify.
CREATE TABLE signing_keys (
    id text PRIMARY KEY,                        -- the Multikey publicKeyMultibase, also the DID fragment
    private_key_encrypted bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL;

-- One certificate per enrolment, whatever races (UNIQUE). `facts` is frozen at issue and never recomputed: the
-- name as issued, course code and title in the learning language, version, dates, contact hours, credit per body
-- with provider and approval numbers, in-person parts and instructors. `credential` is the signed
-- OpenBadgeCredential made from those facts: signed once, at issue or on first need (the completion transaction does
-- not carry the service's URL and key), then frozen too. Only revocation may change a row, once.
CREATE SEQUENCE certificate_status_index AS integer MINVALUE 0 START 0;

CREATE TABLE certificates (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL UNIQUE CHECK (code ~ '^[2-9A-HJKMNP-Z]{10}$'),
    enrollment_id uuid NOT NULL UNIQUE REFERENCES enrollments (id),
    user_id uuid NOT NULL REFERENCES users (id),
    version_id uuid NOT NULL REFERENCES course_versions (id),
    language text NOT NULL,
    completed_at timestamptz NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    valid_until date,
    facts jsonb NOT NULL,
    status_index integer NOT NULL UNIQUE CHECK (status_index >= 0),
    credential jsonb,
    key_id text REFERENCES signing_keys (id),
    revoked_at timestamptz,
    revoked_by uuid REFERENCES users (id),
    revoked_reason text CHECK (length(revoked_reason) BETWEEN 3 AND 500),
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL)),
    CHECK ((credential IS NULL) = (key_id IS NULL))
);
CREATE INDEX certificates_user_idx ON certificates (user_id, completed_at DESC);
CREATE INDEX certificates_revoked_idx ON certificates (status_index) WHERE revoked_at IS NOT NULL;

CREATE FUNCTION certificate_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'certificates are never deleted; revoke them';
    END IF;
    IF (NEW.id, NEW.code, NEW.enrollment_id, NEW.user_id, NEW.version_id, NEW.language, NEW.completed_at,
        NEW.issued_at, NEW.valid_until, NEW.facts, NEW.status_index)
       IS DISTINCT FROM
       (OLD.id, OLD.code, OLD.enrollment_id, OLD.user_id, OLD.version_id, OLD.language, OLD.completed_at,
        OLD.issued_at, OLD.valid_until, OLD.facts, OLD.status_index)
       OR (OLD.credential IS NOT NULL AND (NEW.credential, NEW.key_id) IS DISTINCT FROM (OLD.credential, OLD.key_id))
       OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at, NEW.revoked_by, NEW.revoked_reason)
                                          IS DISTINCT FROM (OLD.revoked_at, OLD.revoked_by, OLD.revoked_reason)) THEN
        RAISE EXCEPTION 'a certificate is frozen when issued; only signing it once and revoking it once are allowed';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER certificates_frozen BEFORE UPDATE OR DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION certificate_is_frozen();

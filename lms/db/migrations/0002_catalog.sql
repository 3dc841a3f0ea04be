-- Courses, their editable draft, and immutable published versions with all their languages.
CREATE TABLE courses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{2,31}$'),
    track text NOT NULL CHECK (track IN ('MA', 'DA', 'CHW', 'EHR', 'CE')),
    draft jsonb NOT NULL,
    draft_updated_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE course_versions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    course_id uuid NOT NULL REFERENCES courses (id),
    version integer NOT NULL CHECK (version > 0),
    status text NOT NULL DEFAULT 'published' CHECK (status IN ('published', 'retired')),
    languages text[] NOT NULL,
    title jsonb NOT NULL,
    summary jsonb NOT NULL,
    total_minutes integer NOT NULL,
    min_attendance_share numeric(4, 3) NOT NULL,
    content jsonb NOT NULL,          -- the whole document as published, answer keys included: the record of what was taught
    published_at timestamptz NOT NULL DEFAULT now(),
    published_by uuid REFERENCES users (id),
    retired_at timestamptz,
    UNIQUE (course_id, version)
);
CREATE INDEX course_versions_current_idx ON course_versions (course_id, version DESC) WHERE status = 'published';

CREATE TABLE version_modules (
    version_id uuid NOT NULL REFERENCES course_versions (id),
    position integer NOT NULL,
    key text NOT NULL,
    title jsonb NOT NULL,
    PRIMARY KEY (version_id, key)
);

CREATE TABLE version_activities (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version_id uuid NOT NULL REFERENCES course_versions (id),
    module_key text NOT NULL,
    position integer NOT NULL,        -- order within the whole course
    key text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('lesson', 'quiz', 'in_person', 'checkoff')),
    minutes integer NOT NULL CHECK (minutes >= 0),
    title jsonb NOT NULL,
    body_html jsonb NOT NULL DEFAULT '{}',   -- lessons: sanitised HTML per language, rendered once at publish
    learner jsonb NOT NULL DEFAULT '{}',     -- what a learner may see: quiz questions without answers, descriptions
    answer_key jsonb,                        -- quizzes only; never sent to a browser before submission
    UNIQUE (version_id, key),
    FOREIGN KEY (version_id, module_key) REFERENCES version_modules (version_id, key)
);
CREATE INDEX version_activities_version_idx ON version_activities (version_id, position);

CREATE TABLE version_approvals (
    version_id uuid NOT NULL REFERENCES course_versions (id),
    body text NOT NULL CHECK (body IN ('IACET', 'DBC', 'CCBMA', 'AAMA', 'DHCS_CHW')),
    provider_number text NOT NULL,
    approved_from date NOT NULL,
    approved_until date,
    category text,
    PRIMARY KEY (version_id, body)
);

-- Published content never changes: only retiring a version is allowed.
CREATE FUNCTION course_version_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'published course versions are never deleted';
    END IF;
    IF (NEW.content, NEW.version, NEW.course_id, NEW.title, NEW.languages) IS DISTINCT FROM
       (OLD.content, OLD.version, OLD.course_id, OLD.title, OLD.languages) THEN
        RAISE EXCEPTION 'published course versions are immutable; publish a new version';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER course_versions_frozen BEFORE UPDATE OR DELETE ON course_versions
    FOR EACH ROW EXECUTE FUNCTION course_version_is_frozen();

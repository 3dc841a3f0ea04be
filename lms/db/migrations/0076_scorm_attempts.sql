-- SCORM 1.2 / 2004 runtime data: one row per attempt of a worker's enrolment at a package activity (the CMI data the
-- SCO committed, kept for resuming), and the launches that may commit to it (a token in the content origin's URL, never
-- a cookie: the package runs on another host name).
CREATE TABLE scorm_attempts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    package_id uuid NOT NULL,
    unit_id text NOT NULL,
    number integer NOT NULL CHECK (number > 0),
    cmi jsonb NOT NULL DEFAULT '{}',            -- the last committed CMI data, flattened ("cmi.suspend_data": ...)
    completion text NOT NULL DEFAULT 'unknown' CHECK (completion IN ('completed', 'incomplete', 'unknown')),
    success text NOT NULL DEFAULT 'unknown' CHECK (success IN ('passed', 'failed', 'unknown')),
    exit text,                                  -- cmi.core.exit / cmi.exit of the last Terminate; NULL until one
    started_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,                       -- a later launch starts a new attempt: this one stays as it was
    FOREIGN KEY (package_id, unit_id) REFERENCES package_units (package_id, unit_id),
    UNIQUE (enrollment_id, activity_id, number)
);
-- At most one attempt open per enrolment and activity: two launches racing cannot open two.
CREATE UNIQUE INDEX scorm_attempts_open_idx ON scorm_attempts (enrollment_id, activity_id) WHERE ended_at IS NULL;

CREATE TABLE scorm_launches (
    token_hash bytea PRIMARY KEY,               -- sha256 of the token in the launch URL; the token itself is not stored
    attempt_id uuid NOT NULL REFERENCES scorm_attempts (id),
    entry text NOT NULL CHECK (entry IN ('ab-initio', 'resume', '')),
    language text NOT NULL,                     -- the interface language she launched in (cmi learner preference)
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    initialized_at timestamptz,                 -- its first commit
    terminated_at timestamptz                   -- its Terminate/LMSFinish: no commit is taken after it
);
CREATE INDEX scorm_launches_attempt_idx ON scorm_launches (attempt_id);

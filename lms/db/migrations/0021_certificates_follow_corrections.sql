-- Certificates follow corrections. When a record a completion rests on is corrected, the completion is re-evaluated
-- in the same transaction: no longer met, the completion is withdrawn (its `completed` statement voided) and the
-- certificate revoked "record corrected"; still met with other figures, a new certificate supersedes the old one,
-- whose code then verifies as "superseded by ...".

CREATE OR REPLACE FUNCTION enrollment_completion_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Withdrawn (NULL) by a correction, or recorded again later; never moved to another time while it stands.
    IF OLD.completed_at IS NOT NULL AND NEW.completed_at IS NOT NULL AND NEW.completed_at IS DISTINCT FROM OLD.completed_at THEN
        RAISE EXCEPTION 'an enrolment''s completion is recorded once and never changes';
    END IF;
    IF (NEW.user_id, NEW.version_id) IS DISTINCT FROM (OLD.user_id, OLD.version_id) THEN
        RAISE EXCEPTION 'an enrolment never changes learner or course version';
    END IF;
    RETURN NEW;
END $$;

-- A withdrawn completion leaves the dashboards' counts too.
CREATE FUNCTION report_completions_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_daily AS d (day, track, clinic_id, local_id, language, completed)
    SELECT report_day(g.completed_at), c.track, e.clinic_id, u.local_id, report_language(u.language), -count(*)
    FROM gone g JOIN enrollments e ON e.id = g.enrollment_id JOIN users u ON u.id = g.user_id
    JOIN course_versions v ON v.id = g.version_id JOIN courses c ON c.id = v.course_id
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ON CONSTRAINT report_daily_key DO UPDATE SET completed = d.completed + EXCLUDED.completed;
    RETURN NULL;
END $$;
CREATE TRIGGER report_completions_withdrawn AFTER DELETE ON completions REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION report_completions_removed();

-- `correction`: this certificate was revoked by a correction (superseded or withdrawn), so the enrolment may hold a
-- newer one; a certificate revoked by hand still blocks a new one. One standing certificate per enrolment.
ALTER TABLE certificates ADD COLUMN correction text CHECK (correction IN ('superseded', 'withdrawn'));
ALTER TABLE certificates ADD COLUMN superseded_by uuid REFERENCES certificates (id);
ALTER TABLE certificates ADD CONSTRAINT certificates_correction_revoked CHECK (correction IS NULL OR revoked_at IS NOT NULL);
ALTER TABLE certificates DROP CONSTRAINT certificates_enrollment_id_key;
CREATE UNIQUE INDEX certificates_one_standing ON certificates (enrollment_id) WHERE correction IS NULL;
CREATE INDEX certificates_enrollment_idx ON certificates (enrollment_id);

CREATE OR REPLACE FUNCTION certificate_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
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
       OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at, NEW.revoked_by, NEW.revoked_reason, NEW.correction)
                                          IS DISTINCT FROM (OLD.revoked_at, OLD.revoked_by, OLD.revoked_reason, OLD.correction))
       OR (OLD.superseded_by IS NOT NULL AND NEW.superseded_by IS DISTINCT FROM OLD.superseded_by) THEN
        RAISE EXCEPTION 'a certificate is frozen when issued; only signing it once and revoking it once are allowed';
    END IF;
    RETURN NEW;
END $$;

-- What a correction changed on a certificate and why: shown to the worker and her clinic admin, and the event the
-- notices (the messaging outbox) can be made from.
CREATE TABLE certificate_corrections (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    certificate_id uuid NOT NULL UNIQUE REFERENCES certificates (id),
    replaced_by uuid REFERENCES certificates (id),
    user_id uuid NOT NULL REFERENCES users (id),
    outcome text NOT NULL CHECK (outcome IN ('superseded', 'withdrawn')),
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    changes jsonb NOT NULL,                -- {"contact_minutes": [before, after], "credits": {...}}
    actor_id uuid REFERENCES users (id),
    corrected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX certificate_corrections_user_idx ON certificate_corrections (user_id, corrected_at DESC);

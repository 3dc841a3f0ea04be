-- Training done elsewhere and in the past: a worker (or her clinic admin) records an outside course with its provider,
-- approval number, dates, minutes, delivery, body and category, and the certificate file; a clinic admin of her clinic
-- approves or rejects it with a reason. Approved records count toward renewal (lms.credit.standing) as outside records,
-- never as this service's certificates. Only these records carry dates a person typed; this service's own completions
-- stay timed by the server.
CREATE TABLE outside_records (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    provider text NOT NULL CHECK (length(provider) BETWEEN 2 AND 200),
    approval_number text NOT NULL CHECK (length(approval_number) BETWEEN 1 AND 100),
    title text NOT NULL CHECK (length(title) BETWEEN 2 AND 300),
    started_on date NOT NULL CHECK (started_on >= '1970-01-01'),
    ended_on date NOT NULL,
    minutes integer NOT NULL CHECK (minutes > 0),
    delivery text NOT NULL CHECK (delivery IN ('in_person', 'live_online', 'home_study')),
    body text NOT NULL REFERENCES accrediting_bodies (code),
    category text,
    -- the approval number is the body's own (AAMA: at least 30 points from AAMA-approved programs)
    body_approved boolean NOT NULL DEFAULT true,
    certificate_key text UNIQUE,
    certificate_type text CHECK (certificate_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')),
    certificate_name text CHECK (length(certificate_name) BETWEEN 1 AND 200),
    certificate_bytes integer CHECK (certificate_bytes > 0),
    source text NOT NULL CHECK (source IN ('worker', 'clinic', 'import')),
    recorded_by uuid NOT NULL REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    reviewed_by uuid REFERENCES users (id),
    reviewed_at timestamptz,
    review_reason text CHECK (length(review_reason) BETWEEN 3 AND 500),
    FOREIGN KEY (body, category) REFERENCES credit_categories (body, category),
    CHECK (ended_on >= started_on),
    -- minutes present cannot exceed the days the course ran
    CHECK (minutes <= (ended_on - started_on + 1) * 1440),
    CHECK ((certificate_key IS NULL) = (certificate_type IS NULL) AND (certificate_key IS NULL) = (certificate_bytes IS NULL)),
    CHECK ((status = 'pending') = (reviewed_at IS NULL) AND (reviewed_at IS NULL) = (reviewed_by IS NULL)),
    CHECK (status <> 'rejected' OR review_reason IS NOT NULL)
);
CREATE INDEX outside_records_user_idx ON outside_records (user_id, ended_on DESC);
CREATE INDEX outside_records_pending_idx ON outside_records (recorded_at) WHERE status = 'pending';
-- The same course recorded twice (same provider, approval number and first day) is one record; a rejected one may be
-- recorded again, corrected.
CREATE UNIQUE INDEX outside_records_once ON outside_records (user_id, lower(provider), approval_number, started_on)
    WHERE status <> 'rejected';

-- A reviewed record is final: what was approved is what counts.
CREATE FUNCTION outside_record_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'a reviewed outside record is kept';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'a reviewed outside record does not change';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER outside_records_final BEFORE UPDATE OR DELETE ON outside_records
    FOR EACH ROW EXECUTE FUNCTION outside_record_is_final();

-- An instructor gives a worker her quiz attempts back (she used them all and can never finish otherwise). The
-- attempts stay on record; only those numbered after the latest reset count toward the quiz's limit.
CREATE TABLE quiz_attempt_resets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    enrollment_id uuid NOT NULL REFERENCES enrollments (id),
    activity_id uuid NOT NULL REFERENCES version_activities (id),
    after_number integer NOT NULL CHECK (after_number >= 0),
    reason text NOT NULL CHECK (length(reason) BETWEEN 3 AND 500),
    reset_by uuid NOT NULL REFERENCES users (id),
    reset_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quiz_attempt_resets_idx ON quiz_attempt_resets (enrollment_id, activity_id, after_number DESC);

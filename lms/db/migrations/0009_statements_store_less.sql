-- Every statement is written once and read rarely, so each byte and index entry it carries is paid on the busiest
-- path (the phones' batches at a shift change) and seldom used. Two things go, each instant at any table size (no
-- rewrite, no index build):
--
-- * `context` repeated what `raw -> 'context'` holds and nothing read it: about a fifth of each row and of its WAL.
--   (`result` stays: the partial index of finishing statements and the activity_progress view read it, and it is
--   empty for most statements.)
-- * statements_enrollment_idx served no query: the one filter by enrolment (xAPI `registration`) is always one
--   sender's statements too, which statements_user_idx finds in the same order.
DROP INDEX statements_enrollment_idx;

CREATE OR REPLACE FUNCTION statement_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'statements are never deleted; void them';
    END IF;
    IF NEW.voided = OLD.voided OR OLD.voided
       OR (NEW.id, NEW.user_id, NEW.enrollment_id, NEW.verb, NEW.activity_iri, NEW.activity_id, NEW.voids_id, NEW.result,
           NEW.raw, NEW.timestamp, NEW.stored)
          IS DISTINCT FROM
          (OLD.id, OLD.user_id, OLD.enrollment_id, OLD.verb, OLD.activity_iri, OLD.activity_id, OLD.voids_id, OLD.result,
           OLD.raw, OLD.timestamp, OLD.stored) THEN
        RAISE EXCEPTION 'statements are immutable; only voiding is allowed';
    END IF;
    RETURN NEW;
END $$;

ALTER TABLE statements DROP COLUMN context;

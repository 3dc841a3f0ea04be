-- A revoked certificate's public reason comes from a fixed list, shown translated on the verification page; the text a
-- program admin types (revoked_reason) becomes an internal note, seen only by program admins (audit log). Certificates
-- revoked before keep their text as that note and show no public reason.
ALTER TABLE certificates ADD COLUMN revoked_reason_code text
    CHECK (revoked_reason_code IN ('issued_in_error', 'requirements_not_met', 'replaced', 'approval_withdrawn'));

-- Frozen as before; the public reason, once set with the revocation, is frozen with it.
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
       OR (OLD.revoked_at IS NOT NULL AND (NEW.revoked_at, NEW.revoked_by, NEW.revoked_reason, NEW.revoked_reason_code)
                                          IS DISTINCT FROM (OLD.revoked_at, OLD.revoked_by, OLD.revoked_reason, OLD.revoked_reason_code)) THEN
        RAISE EXCEPTION 'a certificate is frozen when issued; only signing it once and revoking it once are allowed';
    END IF;
    RETURN NEW;
END $$;

-- A revoked certificate's public reason comes from a fixed list, shown translated on the verification page; the text a
-- program admin types (revoked_reason) becomes an internal note, seen only by program admins (audit log). Certificates
-- revoked before keep their text as that note and show no public reason.
ALTER TABLE certificates ADD COLUMN revoked_reason_code text
    CHECK (revoked_reason_code IN ('issued_in_error', 'requirements_not_met', 'replaced', 'approval_withdrawn',
                                   'record_corrected'));

-- Set with the revocation, then frozen like it (a trigger of its own, beside certificate_is_frozen).
CREATE FUNCTION certificate_reason_is_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL AND NEW.revoked_reason_code IS DISTINCT FROM OLD.revoked_reason_code THEN
        RAISE EXCEPTION 'a revoked certificate keeps the reason it was revoked for';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER certificates_reason_frozen BEFORE UPDATE ON certificates
    FOR EACH ROW EXECUTE FUNCTION certificate_reason_is_frozen();

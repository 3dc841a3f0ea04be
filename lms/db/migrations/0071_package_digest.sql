-- The SHA-256 of the zip a package came from: publishing a course folder again reuses the package already imported
-- from the same zip in the same language instead of storing its files a second time.
ALTER TABLE packages ADD COLUMN sha256 text CHECK (sha256 ~ '^[0-9a-f]{64}$');
CREATE INDEX packages_digest_idx ON packages (course_id, sha256, language) WHERE sha256 IS NOT NULL;

-- Lesson media: files in the S3-compatible store, never in the database. A row belongs to a course; the bytes live
-- under storage_key, a key the service chooses. Published versions pin the exact files they show (version_media).
CREATE TABLE media (
    id uuid PRIMARY KEY,
    course_id uuid NOT NULL REFERENCES courses (id),
    storage_key text NOT NULL UNIQUE CHECK (storage_key ~ '^media/[A-Z0-9-]+/[0-9a-f-]{36}$'),
    kind text NOT NULL CHECK (kind IN ('video', 'audio', 'image', 'pdf', 'captions')),
    content_type text NOT NULL,        -- declared while pending; the type found in the file's first bytes once ready
    byte_size bigint NOT NULL CHECK (byte_size > 0),   -- declared while pending; measured by HEAD once ready
    filename text NOT NULL CHECK (filename ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$'),   -- sanitised; offered on download
    language text CHECK (language ~ '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),          -- captions only
    video_id uuid REFERENCES media (id),                                            -- captions only: their video
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ready')),
    upload_id text,                    -- an S3 multipart upload in progress
    sha256 bytea,                      -- files published from a course folder: uploaded once, reused by later versions
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    ready_at timestamptz,
    replaced_at timestamptz,           -- captions superseded by a newer file in the same language
    CHECK ((kind = 'captions') = (language IS NOT NULL AND video_id IS NOT NULL))
);
CREATE INDEX media_course_idx ON media (course_id, created_at DESC);
CREATE INDEX media_video_idx ON media (video_id) WHERE video_id IS NOT NULL;
CREATE INDEX media_pending_idx ON media (created_at) WHERE status = 'pending';
CREATE INDEX media_sha256_idx ON media (course_id, sha256) WHERE sha256 IS NOT NULL;
-- One current caption file per language per video.
CREATE UNIQUE INDEX media_one_caption_per_language ON media (video_id, lower(language))
    WHERE kind = 'captions' AND status = 'ready' AND replaced_at IS NULL;

CREATE TABLE version_media (
    version_id uuid NOT NULL REFERENCES course_versions (id),
    media_id uuid NOT NULL REFERENCES media (id),
    PRIMARY KEY (version_id, media_id)
);
CREATE INDEX version_media_media_idx ON version_media (media_id);

-- Publishing writes each lesson's media (ids, with caption ids) into version_activities.learner; this records which
-- files a version uses, whichever path published it, and refuses files that are not ready uploads of the same course.
CREATE FUNCTION record_version_media() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    wrong text;
BEGIN
    WITH refs AS (
        SELECT DISTINCT n.version_id, (ref #>> '{}')::uuid AS media_id
        FROM new_activities n
        CROSS JOIN LATERAL (
            SELECT jsonb_path_query(n.learner, '$.media[*].id')
            UNION ALL
            SELECT jsonb_path_query(n.learner, '$.media[*].captions[*].id')
        ) AS found (ref)),
    good AS (
        SELECT r.version_id, r.media_id FROM refs r
        JOIN course_versions v ON v.id = r.version_id
        JOIN media m ON m.id = r.media_id AND m.course_id = v.course_id AND m.status = 'ready'),
    recorded AS (  -- runs to completion though nothing reads it
        INSERT INTO version_media (version_id, media_id) SELECT version_id, media_id FROM good RETURNING 1)
    SELECT string_agg(r.media_id::text, ', ') INTO wrong
    FROM refs r WHERE (r.version_id, r.media_id) NOT IN (SELECT version_id, media_id FROM good);
    IF wrong IS NOT NULL THEN
        RAISE EXCEPTION 'lesson media % are not ready uploads of this course', wrong USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER version_activities_media AFTER INSERT ON version_activities
    REFERENCING NEW TABLE AS new_activities FOR EACH STATEMENT EXECUTE FUNCTION record_version_media();

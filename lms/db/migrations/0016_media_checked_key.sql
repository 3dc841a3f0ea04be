-- A checked upload moves to "<key>.checked", a key no presigned upload form can write (lms.media.types.final_key).
ALTER TABLE media DROP CONSTRAINT media_storage_key_check;
ALTER TABLE media ADD CONSTRAINT media_storage_key_check
    CHECK (storage_key ~ '^media/[A-Z0-9-]+/[0-9a-f-]{36}(\.checked)?$');

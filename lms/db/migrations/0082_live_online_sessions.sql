-- Live online is a delivery of its own: a scheduled webinar is a session with attendance minutes (the instructor
-- records join and leave on the roster, or workers type the check-in code), counted as live where a body counts live
-- but never as in person (a BLS skills part stays in person only). Certificates record which minutes were in person.
ALTER TABLE inperson_sessions
    ADD COLUMN delivery text NOT NULL DEFAULT 'in_person' CHECK (delivery IN ('in_person', 'live_online')),
    ADD COLUMN join_url text CHECK (join_url ~ '^https://[^\s<>"]+$' AND length(join_url) <= 500),
    ADD CONSTRAINT inperson_sessions_webinar_link CHECK ((delivery = 'live_online') = (join_url IS NOT NULL));

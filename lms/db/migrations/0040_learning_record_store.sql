-- The statement log becomes a whole Learning Record Store (xAPI 1.0.3 and 2.0.0): statements about anyone (an LRS
-- client writes about learners who have no account here), any verb, any object type, attachments, the document
-- resources, and the LRS clients that outside tools sign in with.
--
-- A statement's `user_id` is now the worker it is about when the service knows her (her account here, or her email
-- as mbox), and NULL otherwise. The arrays hold the statement's identities and activities, as the GET filters see
-- them: `agents` the actor and an Agent/Group object (with a group's members), `related_agents` every agent anywhere
-- in it, `related_activities` the object and every context activity (sub-statement's too). An identity is written
-- as one text: `mbox:mailto:a@b`, `mbox_sha1sum:<hex>`, `openid:<uri>`, `account:<homePage> <name>`.
ALTER TABLE statements ALTER COLUMN user_id DROP NOT NULL;
ALTER TABLE statements DROP CONSTRAINT statements_check;  -- the object may be an Agent, Group or SubStatement too
ALTER TABLE statements
    ADD COLUMN registration uuid,
    ADD COLUMN agents text[] NOT NULL DEFAULT '{}',
    ADD COLUMN related_agents text[] NOT NULL DEFAULT '{}',
    ADD COLUMN related_activities text[] NOT NULL DEFAULT '{}',
    ADD COLUMN authority jsonb,                       -- set by the LRS: who sent it (NULL: the service itself)
    ADD COLUMN attachment_hashes text[] NOT NULL DEFAULT '{}';

-- Existing statements are all the lesson player's: an account actor, an Activity (or a voided StatementRef), and a
-- parent course in contextActivities.
UPDATE statements SET
    registration = (raw -> 'context' ->> 'registration')::uuid,
    agents = ARRAY['account:' || (raw -> 'actor' -> 'account' ->> 'homePage') || ' ' || (raw -> 'actor' -> 'account' ->> 'name')],
    related_agents = ARRAY['account:' || (raw -> 'actor' -> 'account' ->> 'homePage') || ' ' || (raw -> 'actor' -> 'account' ->> 'name')],
    related_activities = array_remove(ARRAY[activity_iri] || coalesce(ARRAY(
        SELECT p ->> 'id' FROM jsonb_array_elements(raw -> 'context' -> 'contextActivities' -> 'parent') p), '{}'), NULL);

CREATE INDEX statements_stored_idx ON statements (stored DESC, id DESC);
CREATE INDEX statements_agents_idx ON statements USING gin (agents);

CREATE OR REPLACE FUNCTION statement_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'statements are never deleted; void them';
    END IF;
    IF NEW.voided = OLD.voided OR OLD.voided
       OR (NEW.id, NEW.user_id, NEW.enrollment_id, NEW.verb, NEW.activity_iri, NEW.activity_id, NEW.voids_id, NEW.result,
           NEW.context, NEW.raw, NEW.timestamp, NEW.stored, NEW.registration, NEW.agents, NEW.related_agents,
           NEW.related_activities, NEW.authority, NEW.attachment_hashes)
          IS DISTINCT FROM
          (OLD.id, OLD.user_id, OLD.enrollment_id, OLD.verb, OLD.activity_iri, OLD.activity_id, OLD.voids_id, OLD.result,
           OLD.context, OLD.raw, OLD.timestamp, OLD.stored, OLD.registration, OLD.agents, OLD.related_agents,
           OLD.related_activities, OLD.authority, OLD.attachment_hashes) THEN
        RAISE EXCEPTION 'statements are immutable; only voiding is allowed';
    END IF;
    RETURN NEW;
END $$;

-- Attachment contents, by their SHA-256: the same file attached to many statements is kept once.
CREATE TABLE statement_attachments (
    sha2 text PRIMARY KEY CHECK (sha2 ~ '^[0-9a-f]{64}$'),
    content_type text NOT NULL,
    content bytea NOT NULL,
    stored timestamptz NOT NULL DEFAULT now()
);

-- The canonical definition of each activity seen in statements (the Activities resource), the latest one sent.
CREATE TABLE lrs_activities (
    id text PRIMARY KEY,
    definition jsonb NOT NULL,
    updated timestamptz NOT NULL DEFAULT now()
);

-- State, Activity Profile and Agent Profile documents. `agent` is the identity text as above ('' when the kind has
-- none); `registration` only for state ('00000000-...' stands for none, so the key stays unique without NULLs).
CREATE TABLE lrs_documents (
    kind text NOT NULL CHECK (kind IN ('state', 'activity_profile', 'agent_profile')),
    activity_id text NOT NULL,
    agent text NOT NULL,
    registration uuid NOT NULL,
    doc_id text NOT NULL CHECK (length(doc_id) BETWEEN 1 AND 1000),
    user_id uuid,                                     -- the worker the document is about, when known
    content bytea NOT NULL,
    content_type text NOT NULL,
    etag text NOT NULL,
    updated timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, activity_id, agent, registration, doc_id)
);
CREATE INDEX lrs_documents_user_idx ON lrs_documents (user_id) WHERE user_id IS NOT NULL;

-- Credentials for outside xAPI tools (HTTP Basic: key as user name, secret as password), made by program admins.
-- Only a hash of the secret is kept.
CREATE TABLE lrs_clients (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key text NOT NULL UNIQUE CHECK (key ~ '^lrs_[A-Za-z0-9]{8,64}$'),
    secret_hash bytea NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    can_read boolean NOT NULL,
    can_write boolean NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CHECK (can_read OR can_write)
);

-- An activity's definition as statements keep sending it: the newer properties win, and its name and description
-- gain the languages each statement brings (one statement in English, the next in Spanish: both are kept).
CREATE FUNCTION lrs_activities_merged(old jsonb, new jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT old || new || jsonb_strip_nulls(jsonb_build_object(
        'name', CASE WHEN jsonb_typeof(old -> 'name') = 'object' AND jsonb_typeof(new -> 'name') = 'object'
                     THEN (old -> 'name') || (new -> 'name') END,
        'description', CASE WHEN jsonb_typeof(old -> 'description') = 'object' AND jsonb_typeof(new -> 'description') = 'object'
                            THEN (old -> 'description') || (new -> 'description') END))
$$;

-- Accounts for people without email, sign-in recovery, and the messages that reach them.

-- Many workers have no email: they sign in with a sign-in name their clinic admin gives them (from the roster).
-- Email and phone are optional and the worker may remove them (least data).
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
ALTER TABLE users
    ADD COLUMN username text UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{2,62}$'),
    ADD COLUMN phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    ADD COLUMN roster_id text CHECK (length(roster_id) BETWEEN 1 AND 64),
    ADD COLUMN deactivated_at timestamptz,
    ADD CONSTRAINT users_can_sign_in CHECK (email IS NOT NULL OR username IS NOT NULL),
    ADD CONSTRAINT users_inactive_when_deactivated CHECK (deactivated_at IS NULL OR NOT active);
-- A roster line names a worker by the clinic's own number for her: re-importing updates, never duplicates.
CREATE UNIQUE INDEX users_roster_idx ON users (clinic_id, roster_id) WHERE roster_id IS NOT NULL;

-- Failed sign-ins by client address too (a hash of it), so one address cannot try email after email.
ALTER TABLE login_failures ADD COLUMN address_hash bytea;
CREATE INDEX login_failures_address_idx ON login_failures (address_hash, at) WHERE address_hash IS NOT NULL;

-- Single-use, time-limited secrets that let a person choose a new password: an e-mailed link, a code sent by SMS,
-- or a code a clinic admin reads to her over the phone. Only a hash of the secret is stored.
CREATE TABLE password_resets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    secret_hash bytea NOT NULL UNIQUE,
    channel text NOT NULL CHECK (channel IN ('email', 'sms', 'admin')),
    issued_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id, created_at DESC);

-- Messages to people: one row per person, kind, occasion and channel, so a reminder goes out exactly once however
-- many processes look for it at the same time. After delivery the body is dropped: the log keeps what kind of
-- message was sent to whom and when, not the text with personal data in it.
CREATE TABLE messages (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind ~ '^[a-z_.]{3,60}$'),
    occasion text NOT NULL CHECK (length(occasion) BETWEEN 1 AND 200),
    channel text NOT NULL CHECK (channel IN ('email', 'sms', 'outbox')),
    language text NOT NULL,
    subject text,
    body text,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'kept', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (user_id, kind, occasion, channel),
    CHECK (status <> 'sent' OR body IS NULL)
);
CREATE INDEX messages_pending_idx ON messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX messages_outbox_idx ON messages (created_at DESC) WHERE channel = 'outbox';

-- A person's "do not send me this": per kind of message (or every kind, '*') and channel.
CREATE TABLE message_opt_outs (
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('email', 'sms')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind, channel)
);

-- A new message wakes the worker processes at commit (they also look every minute).
CREATE FUNCTION messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('lms_messages', '');
    RETURN NULL;
END $$;
CREATE TRIGGER messages_wake AFTER INSERT ON messages FOR EACH STATEMENT EXECUTE FUNCTION messages_notify();

-- cmi5 launches (lms/packages/cmi5): registrations, sessions with their one-time fetch URL and launch-scoped LRS
-- credential, and what each registration's AUs have done (for moveOn and the LMS's own satisfied statements).

-- The statements the LMS writes in reaction to an AU's statement (satisfied block and course after "completed") are
-- stored in the same transaction; now() would give them all one `stored` time and the order readers see would fall
-- to their ids. clock_timestamp() gives each row its own time, in the order written.
ALTER TABLE statements ALTER COLUMN stored SET DEFAULT clock_timestamp();

-- A registration: one learner (actor) taking one cmi5 course (package). A worker has one per enrolment and package;
-- an outside launcher (an LRS client's program, CATAPULT's suite) may name its own actor and registration id.
CREATE TABLE cmi5_registrations (
    id uuid PRIMARY KEY,                      -- the cmi5 registration, as in every statement's context
    package_id uuid NOT NULL REFERENCES packages (id),
    actor jsonb NOT NULL,                     -- the xAPI Agent given to the AU
    actor_key text NOT NULL,                  -- its identity text (lms.xapi.validation.identity)
    user_id uuid REFERENCES users (id),       -- the worker, when the actor is one
    enrollment_id uuid REFERENCES enrollments (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (enrollment_id, package_id)
);

-- One launch of one AU. The fetch token is used once; the credential lives until terminated or abandoned.
CREATE TABLE cmi5_sessions (
    id uuid PRIMARY KEY,                      -- the cmi5 session id (context extension sessionid)
    registration_id uuid NOT NULL REFERENCES cmi5_registrations (id),
    unit_id text NOT NULL,                    -- the AU's id in cmi5.xml
    activity_id text NOT NULL,                -- the LMS's activity id for the AU (the launch's activityId)
    version_activity_id uuid REFERENCES version_activities (id),  -- the course activity it counts for, if any
    launch_mode text NOT NULL CHECK (launch_mode IN ('Normal', 'Browse', 'Review')),
    launch_url text NOT NULL,
    fetch_hash bytea NOT NULL UNIQUE,
    fetched_at timestamptz,
    credential_key text UNIQUE CHECK (credential_key ~ '^au_[A-Za-z0-9]{8,64}$'),
    secret_hash bytea,                        -- the credential is made when the AU fetches it
    prefs_read_at timestamptz,                -- the AU read the learner preferences (required before initialized)
    initialized_at timestamptz,
    terminated_at timestamptz,
    abandoned_at timestamptz,
    failed boolean NOT NULL DEFAULT false,    -- a failed statement in this session
    launched_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cmi5_sessions_open_idx ON cmi5_sessions (registration_id, unit_id)
    WHERE terminated_at IS NULL AND abandoned_at IS NULL;
CREATE INDEX cmi5_sessions_stale_idx ON cmi5_sessions (last_seen_at)
    WHERE terminated_at IS NULL AND abandoned_at IS NULL;

-- What an AU has done in a registration: completed and passed are once per registration; satisfied once moveOn is
-- met (or waived).
CREATE TABLE cmi5_unit_results (
    registration_id uuid NOT NULL REFERENCES cmi5_registrations (id),
    unit_id text NOT NULL,
    completed_at timestamptz,
    passed_at timestamptz,
    satisfied_at timestamptz,
    waived_reason text,
    PRIMARY KEY (registration_id, unit_id)
);

-- The blocks and the course the LMS has said "satisfied" for, so it says it once (node_id '' is the course).
CREATE TABLE cmi5_satisfied_nodes (
    registration_id uuid NOT NULL REFERENCES cmi5_registrations (id),
    node_id text NOT NULL,
    satisfied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (registration_id, node_id)
);

-- The programs' content edited in the web by program admins, not only seeded: apprenticeship work processes, wage
-- steps and competencies, and each preceptorship role's competencies and evaluation items.
-- Something that records point to (hours logged under a work process, a competency signed off or evaluated) is
-- retired, never deleted: the records keep their key, new records cannot use it.

-- ---------------------------------------------------------------- apprenticeship

-- A hybrid program needs both: its hours and every competency signed off.
ALTER TABLE apprenticeship_programs DROP CONSTRAINT apprenticeship_programs_model_check;
ALTER TABLE apprenticeship_programs ADD CONSTRAINT apprenticeship_programs_model_check
    CHECK (model IN ('time', 'competency', 'hybrid'));
-- The journeyworker's hourly wage, for wage steps set as a percentage of it.
ALTER TABLE apprenticeship_programs ADD COLUMN journeyworker_cents integer
    CHECK (journeyworker_cents BETWEEN 1 AND 100000);

ALTER TABLE apprenticeship_work_processes ADD COLUMN retired_at timestamptz;
ALTER TABLE apprenticeship_work_processes ADD CONSTRAINT apprenticeship_work_processes_bounds
    CHECK (hours <= 20000 AND position BETWEEN 1 AND 999);

ALTER TABLE apprenticeship_competencies ADD COLUMN retired_at timestamptz;
ALTER TABLE apprenticeship_competencies ADD CONSTRAINT apprenticeship_competencies_bounds
    CHECK (position BETWEEN 1 AND 999);

-- A wage step is reached after a number of approved on-the-job hours and/or of competencies signed off; its wage is
-- an hourly amount or a percentage of the journeyworker's wage. Steps are numbered by what they need, when read, so
-- adding or removing one renumbers the rest; nothing points to a step, so a removed one is deleted.
ALTER TABLE apprenticeship_wage_steps DROP CONSTRAINT apprenticeship_wage_steps_pkey;
ALTER TABLE apprenticeship_wage_steps DROP CONSTRAINT apprenticeship_wage_steps_program_id_from_hours_key;
ALTER TABLE apprenticeship_wage_steps DROP COLUMN step;
ALTER TABLE apprenticeship_wage_steps ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY;
ALTER TABLE apprenticeship_wage_steps ADD COLUMN from_competencies integer NOT NULL DEFAULT 0
    CHECK (from_competencies BETWEEN 0 AND 200);
ALTER TABLE apprenticeship_wage_steps ALTER COLUMN hourly_cents DROP NOT NULL;
ALTER TABLE apprenticeship_wage_steps ADD COLUMN journeyworker_percent integer
    CHECK (journeyworker_percent BETWEEN 1 AND 100);
ALTER TABLE apprenticeship_wage_steps ADD CONSTRAINT apprenticeship_wage_steps_bounds CHECK (
    from_hours <= 20000 AND hourly_cents <= 100000 AND (hourly_cents IS NULL) <> (journeyworker_percent IS NULL));
ALTER TABLE apprenticeship_wage_steps ADD CONSTRAINT apprenticeship_wage_steps_once
    UNIQUE (program_id, from_hours, from_competencies);

-- ---------------------------------------------------------------- preceptorship

-- What a preceptor rates for a role and board: its competencies and its evaluation items (professional conduct and
-- the like), moved out of supervision_requirements.competencies so each can be edited and retired on its own.
CREATE TABLE supervision_items (
    role_key text NOT NULL,
    board text NOT NULL,
    key text NOT NULL CHECK (key ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    kind text NOT NULL CHECK (kind IN ('competency', 'evaluation')),
    position integer NOT NULL CHECK (position BETWEEN 1 AND 999),
    name jsonb NOT NULL CHECK (jsonb_typeof(name) = 'object'),
    retired_at timestamptz,
    PRIMARY KEY (role_key, board, key),
    FOREIGN KEY (role_key, board) REFERENCES supervision_requirements (role_key, board)
);

INSERT INTO supervision_items (role_key, board, key, kind, position, name)
SELECT q.role_key, q.board, c.item ->> 'key', 'competency', c.n, c.item -> 'name'
FROM supervision_requirements q, jsonb_array_elements(q.competencies) WITH ORDINALITY AS c (item, n);

ALTER TABLE supervision_requirements DROP COLUMN competencies;

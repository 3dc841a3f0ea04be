-- Career ladders are edited on the web by program admins: a ladder has a track and can be retired; a step has an
-- identity of its own, so a ladder is reordered by moving positions without touching the records of who reached a
-- step, and a retired step stays for those records (and the reports of who reached it) but leaves the ladder.
ALTER TABLE career_ladders ADD COLUMN track text CHECK (track IN ('MA', 'DA', 'CHW', 'EHR', 'CE'));
ALTER TABLE career_ladders ADD COLUMN retired_at timestamptz;
ALTER TABLE career_ladders ADD CONSTRAINT career_ladders_name_check CHECK (jsonb_typeof(name) = 'object' AND name ? 'en');
UPDATE career_ladders SET track = CASE key WHEN 'ma-lvn-rn' THEN 'MA' WHEN 'da-rda' THEN 'DA' WHEN 'chw' THEN 'CHW' END;

ALTER TABLE ladder_steps ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE ladder_steps ADD COLUMN retired_at timestamptz;
ALTER TABLE ladder_steps ADD CONSTRAINT ladder_steps_name_check CHECK (jsonb_typeof(name) = 'object' AND name ? 'en');

ALTER TABLE ladder_step_records ADD COLUMN step_id uuid;
UPDATE ladder_step_records r SET step_id = s.id
FROM ladder_steps s WHERE s.ladder_id = r.ladder_id AND s.position = r.position;
ALTER TABLE ladder_step_records DROP CONSTRAINT ladder_step_records_ladder_id_position_fkey;
ALTER TABLE ladder_step_records DROP CONSTRAINT ladder_step_records_pkey;
ALTER TABLE ladder_step_records DROP COLUMN ladder_id;
ALTER TABLE ladder_step_records DROP COLUMN position;

ALTER TABLE ladder_steps DROP CONSTRAINT ladder_steps_pkey;
ALTER TABLE ladder_steps ADD PRIMARY KEY (id);
-- Deferred: a move swaps two positions inside one transaction.
ALTER TABLE ladder_steps ADD CONSTRAINT ladder_steps_order UNIQUE (ladder_id, position) DEFERRABLE INITIALLY DEFERRED;

ALTER TABLE ladder_step_records ALTER COLUMN step_id SET NOT NULL;
ALTER TABLE ladder_step_records ADD FOREIGN KEY (step_id) REFERENCES ladder_steps (id);
ALTER TABLE ladder_step_records ADD PRIMARY KEY (user_id, step_id);
CREATE INDEX ladder_step_records_step_idx ON ladder_step_records (step_id);

-- An outside step may name the approval number of the program elsewhere: an approved outside record with it
-- (lms/credit outside records) reaches the step with no one recording it by hand.
COMMENT ON COLUMN ladder_steps.ref IS
    'course: course code; credential: credential_requirements.credential; apprenticeship: apprenticeship_programs.key; '
    'tuition: tuition_requests.field; outside: an approval number of outside_records, or empty (recorded by an admin)';

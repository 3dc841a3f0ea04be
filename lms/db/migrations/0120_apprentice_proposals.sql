-- A clinic admin proposes one of her clinic's workers for an apprenticeship program; the partnership (a program
-- admin) accepts it, which starts the apprenticeship that day with the mentor she names, or declines it with a reason
-- the clinic admin reads. One open proposal per worker and program.
CREATE TABLE apprentice_proposals (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    program_id uuid NOT NULL REFERENCES apprenticeship_programs (id),
    user_id uuid NOT NULL REFERENCES users (id),
    clinic_id uuid NOT NULL REFERENCES clinics (id),
    proposed_by uuid NOT NULL REFERENCES users (id),
    proposed_at timestamptz NOT NULL DEFAULT now(),
    note text CHECK (length(note) BETWEEN 1 AND 1000),
    status text NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted', 'declined')),
    decided_by uuid REFERENCES users (id),
    decided_at timestamptz,
    declined_reason text CHECK (length(declined_reason) BETWEEN 2 AND 1000),
    apprenticeship_id uuid REFERENCES apprenticeships (id),
    CHECK (status <> 'declined' OR declined_reason IS NOT NULL),
    CHECK (status <> 'accepted' OR apprenticeship_id IS NOT NULL)
);
CREATE UNIQUE INDEX apprentice_proposals_open ON apprentice_proposals (user_id, program_id) WHERE status = 'proposed';
CREATE INDEX apprentice_proposals_clinic_idx ON apprentice_proposals (clinic_id, proposed_at);

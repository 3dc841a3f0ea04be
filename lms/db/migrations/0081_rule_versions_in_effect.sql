-- A changed board rule is a new row, not new code: a requirement row may be a version of a credential (`version_of`),
-- with its own effective dates, units, minimums and caps (rows keyed by the version's own name). A renewal cycle is
-- judged by the version in effect on the day the cycle starts; a cycle that started earlier keeps the old rule.
ALTER TABLE credential_requirements
    ADD COLUMN version_of text REFERENCES credential_requirements (credential) CHECK (version_of <> credential),
    -- the rule text exempts the first renewal after the licence was issued (Dental Board: "the first renewal is exempt")
    ADD COLUMN first_renewal_exempt boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT credential_requirements_effective CHECK (effective_until IS NULL OR effective_until > effective_from);
CREATE UNIQUE INDEX credential_requirements_one_version_a_day
    ON credential_requirements ((coalesce(version_of, credential)), effective_from);

UPDATE credential_requirements SET first_renewal_exempt = true WHERE credential = 'RDA';

-- When the worker's licence was first issued: the cycle it falls in ends at her first renewal.
ALTER TABLE worker_credentials ADD COLUMN licensed_on date;

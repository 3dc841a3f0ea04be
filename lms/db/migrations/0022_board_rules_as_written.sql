-- The boards' rules as written: each body's and each credential's rule carries its text (quoted from the partnership's
-- summary of the board's rule), its source and the dates it is in effect; required topics, current-certificate
-- requirements, approved-provider minimums and caps are rows. A changed rule is a row with new dates.

ALTER TABLE accrediting_bodies
    ADD COLUMN rule_text text NOT NULL DEFAULT '',
    ADD COLUMN source text NOT NULL DEFAULT '',
    ADD COLUMN effective_from date NOT NULL DEFAULT '2000-01-01',
    ADD COLUMN effective_until date;

-- IACET: at least 0.1 CEU an event, that is one contact hour (60 minutes); fractions allowed.
UPDATE accrediting_bodies SET min_minutes = 60,
    rule_text = 'IACET-style CEU: 1 CEU = 10 contact hours of 60 minutes; breaks excluded; at least 0.1 CEU an event; fractions allowed (12 h = 1.2 CEU).',
    source = 'IACET ANSI/IACET Standard for Continuing Education and Training' WHERE code = 'IACET';
UPDATE accrediting_bodies SET
    rule_text = 'Dental Board of California (RDA and other dental assistant permits): 25 units per 2-year renewal; 1 unit = 1 hour of instruction.',
    source = 'California Code of Regulations, title 16, section 1016 and 1017' WHERE code = 'DBC';
UPDATE accrediting_bodies SET
    rule_text = 'CCBMA: 1 credit = one 60-minute contact hour.',
    source = 'California Certifying Board for Medical Assistants, recertification requirements' WHERE code = 'CCBMA';
UPDATE accrediting_bodies SET
    rule_text = 'AAMA: an outside program counts if it is at least one 50-minute contact hour; 1 point = one 50-minute contact hour.',
    source = 'AAMA CMA (AAMA) recertification requirements' WHERE code = 'AAMA';
UPDATE accrediting_bodies SET
    rule_text = 'Community Health Workers billing Medi-Cal: hours of additional training.',
    source = 'DHCS Medi-Cal Provider Manual, Community Health Worker services' WHERE code = 'DHCS_CHW';

ALTER TABLE credential_requirements
    ADD COLUMN rule_text text NOT NULL DEFAULT '',
    ADD COLUMN source text NOT NULL DEFAULT '',
    ADD COLUMN effective_from date NOT NULL DEFAULT '2000-01-01',
    ADD COLUMN effective_until date,
    ADD COLUMN min_approved_units numeric(6, 2) CHECK (min_approved_units >= 0);   -- AAMA: at least 30 from AAMA-approved

UPDATE credential_requirements SET
    rule_text = '25 units per 2-year renewal (the first renewal is exempt); mandatory 2-unit Infection Control and 2-unit California Dental Practice Act from Board-approved providers; Basic Life Support with an in-person skills part counts at most 4 units; at most half (12.5) non-live / home study; courses mainly for the licensee''s own benefit at most 20 %.',
    source = 'California Code of Regulations, title 16, section 1016 and 1017' WHERE credential = 'RDA';
UPDATE credential_requirements SET
    rule_text = 'Community Health Workers billing Medi-Cal (DHCS): at least 6 hours of additional training every year; the supervising provider keeps the documentation for audit.',
    source = 'DHCS Medi-Cal Provider Manual, Community Health Worker services' WHERE credential = 'CHW';
UPDATE credential_requirements SET
    rule_text = 'Recertify every 5 years with 60 credits, 1 credit = one 60-minute contact hour; current CPR; HIPAA and cultural-competency training count within the 60 and are required.',
    source = 'California Certifying Board for Medical Assistants, recertification requirements' WHERE credential = 'CCBMA_CMA';
UPDATE credential_requirements SET min_approved_units = 30,
    rule_text = '60 points every 60 months: at least 10 administrative, 10 clinical, 10 general, the rest any; at least 30 from AAMA-approved programs.',
    source = 'AAMA CMA (AAMA) recertification requirements' WHERE credential = 'AAMA_CMA';

-- Required topics: min_units 0 means "a course in this category"; must_be_current: a certificate in it still valid.
ALTER TABLE credential_category_minimums ADD COLUMN must_be_current boolean NOT NULL DEFAULT false;
INSERT INTO credential_category_minimums (credential, category, min_units, needs_live, must_be_current) VALUES
    ('CCBMA_CMA', 'hipaa', 0, false, false),
    ('CCBMA_CMA', 'cultural_competency', 0, false, false),
    ('CCBMA_CMA', 'cpr', 0, false, true);

-- What a category may count toward one credential's renewal: at most max_units, at most max_share of the required
-- total, and (live_only) only courses with an in-person part.
CREATE TABLE credential_category_caps (
    credential text NOT NULL REFERENCES credential_requirements (credential),
    category text NOT NULL,
    max_units numeric(6, 2) CHECK (max_units >= 0),
    max_share numeric(4, 3) CHECK (max_share BETWEEN 0 AND 1),
    live_only boolean NOT NULL DEFAULT false,
    PRIMARY KEY (credential, category)
);
INSERT INTO credit_categories (body, category, name, max_units, valid_months) VALUES
    ('DBC', 'self_benefit', '{"en": "Mainly for the licensee''s own benefit", "es": "Principalmente en beneficio propio del titular"}', NULL, NULL);
INSERT INTO credential_category_caps (credential, category, max_units, max_share, live_only) VALUES
    ('RDA', 'bls', 4, NULL, true),
    ('RDA', 'self_benefit', NULL, 0.2, false);

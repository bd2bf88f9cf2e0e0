-- colink warehouse migration 9: schema version 8 -> 9.
-- Released: never edit (mappings/warehouse/README.md).
--
-- 傷病手当金 (sickness allowance, issue #21 part 5): the association's
-- payments, one row per person and period start (kind allowance): period,
-- days paid, amount, and the cause as an ICD-10 code and/or a 傷病名コード
-- (mapped to ICD-10 through disease_master when read); and
-- run.allowance_replaced.  Runs before version 9 keep NULL: not recorded.

ALTER TABLE run ADD COLUMN allowance_replaced INTEGER;
CREATE TABLE allowance (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	period_from TEXT NOT NULL,
	period_to TEXT,
	days INTEGER,
	amount INTEGER,
	icd10 TEXT,
	disease_code TEXT,
	run_id TEXT REFERENCES run (run_id),
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER,
	PRIMARY KEY (person_no, period_from)
) WITHOUT ROWID;

-- colink warehouse migration 6: schema version 5 -> 6.
-- Released: never edit (mappings/warehouse/README.md).
--
-- Programme participation (⑤ その他, issue #19): the employer's
-- participation records (walking event, seminar, 給食改善, 禁煙治療補助),
-- one row per person, programme and date, and run.participation_replaced.
-- Runs before version 6 keep NULL: not recorded.

ALTER TABLE run ADD COLUMN participation_replaced INTEGER;
CREATE TABLE participation (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	program TEXT NOT NULL, participation_date TEXT NOT NULL, completed TEXT,
	run_id TEXT REFERENCES run (run_id),
	input_no INTEGER, record_no INTEGER, line_no INTEGER,
	PRIMARY KEY (person_no, program, participation_date)) WITHOUT ROWID;

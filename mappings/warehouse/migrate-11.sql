-- colink warehouse migration 11: schema version 10 -> 11.
-- Released: never edit (mappings/warehouse/README.md).
--
-- Probabilistic linkage on keyed comparison features (issue #23):
-- person_feature (a person's keyed comparison features: the kana name's
-- keyed Bloom filter and keyed tokens of birth year, month, day, sex,
-- insurer, 記号, 番号; docs/pseudonyms.md), link.weight / link.levels and
-- link_review.weight / link_review.levels (the Fellegi-Sunter match weight
-- of a probabilistic pass and the comparison levels that fired), and
-- link_em (the m and u probabilities a probabilistic pass estimated) and
-- link_weight (the histogram of the match weights of the pairs it judged).
-- Rows before version 11, and every row of an exact pass, keep NULL.

ALTER TABLE link ADD COLUMN weight REAL;
ALTER TABLE link ADD COLUMN levels TEXT;
ALTER TABLE link_review ADD COLUMN weight REAL;
ALTER TABLE link_review ADD COLUMN levels TEXT;
CREATE TABLE person_feature (
	person_no INTEGER PRIMARY KEY NOT NULL REFERENCES person (person_no),
	key_id TEXT NOT NULL,
	name_bf TEXT,
	birth_year TEXT,
	birth_month TEXT,
	birth_day TEXT,
	birth_md TEXT,
	sex TEXT,
	insurer TEXT,
	symbol TEXT,
	number TEXT
);
CREATE TABLE link_em (
	run_id TEXT NOT NULL REFERENCES run (run_id),
	pass INTEGER NOT NULL,
	feature TEXT NOT NULL,
	level TEXT NOT NULL,
	m REAL NOT NULL,
	u REAL NOT NULL,
	weight REAL NOT NULL,
	PRIMARY KEY (run_id, pass, feature, level)
);
CREATE TABLE link_weight (
	run_id TEXT NOT NULL REFERENCES run (run_id),
	pass INTEGER NOT NULL,
	bin INTEGER NOT NULL,
	pairs INTEGER NOT NULL,
	PRIMARY KEY (run_id, pass, bin)
);

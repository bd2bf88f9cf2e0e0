-- colink warehouse schema (SQLite)
-- schema-version: 1
--
-- This file is the one definition of the warehouse.  out_sqlite embeds it
-- at build time (plugins/out_sqlite/embed-sql.sh) and runs it, inside one
-- transaction, on a database that has no schema_version table yet.
--
-- Privacy: no table holds a raw identifier.  A person is known only by
-- pseudonyms (HMAC-SHA256 under a key derived for the key kind, 64 hex);
-- names, insurance card numbers, employee numbers and birth dates never
-- reach this file.  The birth date survives only as birth_ym (yyyymm) and as
-- ages computed at load time.  Reject reasons name a record and a column,
-- never a value.
--
-- Loads: a run is one transaction; either all of it lands or none of it
-- does.  The run row is committed first, alone, with status 'incomplete',
-- so that a killed process leaves a trace; a run that fails cleanly ends
-- 'failed'.
--   * Identical input bytes (same sha256) are loaded once: an input whose
--     sha256 matches a run_input row with status 'loaded' of a run with
--     status 'ok' is skipped (recorded as 'skipped-duplicate').
--   * One checkup per person and exam date.  A second record for the same
--     person and date within one run is rejected; a record for a checkup
--     loaded by an earlier run replaces it (its observation and
--     questionnaire rows go with it; run.checkups_replaced counts these).
--
-- Changing the schema: never edit a released version in place.  Bump the
-- schema-version line above, change this file so that it creates the new
-- schema from nothing, and add to the `migrations` table in
-- plugins/out_sqlite/out_sqlite.c one entry {from = old version, sql = the
-- statements that turn a version-`from` warehouse into version from+1}.
-- The plugin applies the entries in order and records each version reached
-- in schema_version.

-- Versions applied to this warehouse, one row each; the current version is
-- MAX(version).
CREATE TABLE schema_version (
	version INTEGER NOT NULL, -- schema version reached
	applied TEXT NOT NULL     -- when, ISO 8601 UTC
);
INSERT INTO schema_version (version, applied)
	VALUES (1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

-- The ledger: one row per run of colink against this warehouse.
CREATE TABLE run (
	run_id TEXT PRIMARY KEY NOT NULL, -- 32 hex, unique per run
	job_name TEXT,                    -- name declared in the job file
	job_path TEXT,                    -- job file as given
	job_sha256 TEXT,                  -- sha256 of the job file bytes
	purpose TEXT,                     -- purpose of use declared in the job (joint-use agreement)
	key_id TEXT,                      -- id of the pseudonym key (never the key)
	os_user TEXT,                     -- operating-system user who ran colink
	colink_version TEXT,              -- colink version that wrote the run
	started TEXT NOT NULL,            -- ISO 8601 UTC
	finished TEXT,                    -- ISO 8601 UTC; NULL while incomplete
	status TEXT NOT NULL DEFAULT 'incomplete'
		CHECK (status IN ('incomplete', 'ok', 'failed')),
		-- incomplete: started, never finished (killed); ok: committed;
		-- failed: rolled back, nothing of it is in the warehouse
	message TEXT,                     -- failure reason (one line) or NULL
	records_read INTEGER,             -- records read from all inputs
	records_loaded INTEGER,           -- records that landed (0 for a failed run)
	records_rejected INTEGER,         -- records rejected, with a row in reject (0 for a failed run)
	checkups_replaced INTEGER         -- checkups of earlier runs this run replaced
);

-- One row per input file of a run, written when the input ends.
CREATE TABLE run_input (
	run_id TEXT NOT NULL REFERENCES run (run_id),
	input_no INTEGER NOT NULL,        -- 1-based order in the job
	path TEXT,                        -- input file as given
	sha256 TEXT,                      -- sha256 of the input bytes (duplicate detection)
	size INTEGER,                     -- bytes
	plugin TEXT,                      -- input plugin that read it
	mapping_path TEXT,                -- mapping file applied
	mapping_id TEXT,                  -- id declared in the mapping
	mapping_sha256 TEXT,              -- sha256 of the mapping file bytes
	records_read INTEGER,
	records_loaded INTEGER,
	records_rejected INTEGER,
	status TEXT NOT NULL CHECK (status IN ('loaded', 'skipped-duplicate')),
	PRIMARY KEY (run_id, input_no)
);
CREATE INDEX run_input_sha256 ON run_input (sha256);

-- Lineage: which source column of an input fed which common field.
CREATE TABLE input_field_map (
	run_id TEXT NOT NULL,
	input_no INTEGER NOT NULL,
	field TEXT NOT NULL,              -- common field (mappings/common/fields.tsv)
	source TEXT                       -- source column name, "#N" by position, or item code
);
CREATE INDEX input_field_map_input ON input_field_map (run_id, input_no);

-- Records that did not load, and why.  Never values.
CREATE TABLE reject (
	run_id TEXT NOT NULL REFERENCES run (run_id),
	input_no INTEGER NOT NULL,
	record_no INTEGER NOT NULL,       -- 1-based data record in the input
	line_no INTEGER,                  -- physical line where it starts, if known
	source_column TEXT,               -- column at fault, NULL for the whole record
	reason TEXT NOT NULL              -- one line; names columns, never values
);
CREATE INDEX reject_run ON reject (run_id);

-- A person, known by the pseudonym of the record's primary key kind.
CREATE TABLE person (
	person_id TEXT PRIMARY KEY NOT NULL, -- pseudonym of the primary key, 64 hex
	key_id TEXT,                         -- key id the pseudonym was computed under
	sex TEXT,                            -- 性別 (1.2.392.200119.6.1104): 1 男 2 女
	birth_ym INTEGER,                    -- birth year and month, yyyymm (the date is never stored)
	first_run_id TEXT REFERENCES run (run_id), -- run that first loaded the person
	last_run_id TEXT REFERENCES run (run_id)   -- latest run that loaded the person
);

-- Every pseudonym computed for a person (one per key kind in
-- mappings/common/keys.tsv the record had the parts for): the linker's
-- keys across sources.
CREATE TABLE person_key (
	person_id TEXT NOT NULL REFERENCES person (person_id),
	kind TEXT NOT NULL,                  -- key kind: card, kana_dob_sex, employee
	pseudonym TEXT NOT NULL,             -- 64 hex
	key_id TEXT,                         -- key id it was computed under
	PRIMARY KEY (kind, pseudonym, person_id)
);
CREATE INDEX person_key_pseudonym ON person_key (pseudonym);
CREATE INDEX person_key_person ON person_key (person_id);

-- One health checkup: a person on an exam date.  Wide columns hold the
-- common-schema fields whose table is `checkup` (fields.tsv), decimals as
-- REAL for analysis.  A value that is null with a reason, censored ("<5":
-- null_reason below-range, the bound in observation.value_text) or flagged
-- H/L is ALSO written to observation with its exact text, so no reason is
-- lost.  checkup(person_id) lookups use the UNIQUE index.
CREATE TABLE checkup (
	checkup_id INTEGER PRIMARY KEY,      -- surrogate key
	person_id TEXT NOT NULL REFERENCES person (person_id),
	exam_date TEXT NOT NULL              -- 健診実施日, YYYY-MM-DD
		CHECK (exam_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	fiscal_year INTEGER,                 -- April-March year of the exam
	age_at_exam INTEGER,                 -- age on the exam date
	age_fy_end INTEGER,                  -- age on 31 March of the fiscal year (特定健診 age)
	program_type TEXT,                   -- プログラム種別 (1.2.392.200119.6.1002)
	exam_org TEXT,                       -- 健診実施機関番号 (1.2.392.200119.6.102)
	height REAL,                         -- 身長 (cm)
	weight REAL,                         -- 体重 (kg)
	bmi REAL,                            -- BMI (kg/m2)
	waist REAL,                          -- 腹囲 実測 (cm)
	waist_self_judged REAL,              -- 腹囲 自己判定 (cm)
	waist_self_reported REAL,            -- 腹囲 自己申告 (cm)
	visceral_fat_area REAL,              -- 内臓脂肪面積 (cm2)
	sbp_1 REAL,                          -- 収縮期血圧 1回目 (mm[Hg])
	sbp_2 REAL,                          -- 収縮期血圧 2回目 (mm[Hg])
	sbp_other REAL,                      -- 収縮期血圧 その他, single or averaged (mm[Hg])
	dbp_1 REAL,                          -- 拡張期血圧 1回目 (mm[Hg])
	dbp_2 REAL,                          -- 拡張期血圧 2回目 (mm[Hg])
	dbp_other REAL,                      -- 拡張期血圧 その他 (mm[Hg])
	blood_draw_timing TEXT,              -- 採血時間 (1.2.392.200119.6.2202): 2 空腹 3 随時 4 食直後
	tg_fasting REAL,                     -- 中性脂肪 空腹時 (mg/dL)
	tg_casual REAL,                      -- 中性脂肪 随時 (mg/dL)
	hdl REAL,                            -- HDLコレステロール (mg/dL)
	ldl REAL,                            -- LDLコレステロール (mg/dL)
	non_hdl REAL,                        -- Non-HDLコレステロール (mg/dL)
	ast REAL,                            -- AST(GOT) (U/L)
	alt REAL,                            -- ALT(GPT) (U/L)
	ggt REAL,                            -- γ-GT (U/L)
	fpg REAL,                            -- 空腹時血糖 (mg/dL)
	casual_glucose REAL,                 -- 随時血糖 (mg/dL)
	hba1c REAL,                          -- HbA1c NGSP (%)
	urine_glucose TEXT,                  -- 尿糖 (1.2.392.200119.6.2102): 1 − 2 ± 3 1+ 4 2+ 5 3+
	urine_protein TEXT,                  -- 尿蛋白 (1.2.392.200119.6.2102): 1 − 2 ± 3 1+ 4 2+ 5 3+
	creatinine REAL,                     -- 血清クレアチニン (mg/dL)
	egfr REAL,                           -- eGFR (ml/min/1.73m2)
	hemoglobin REAL,                     -- 血色素量 (g/dL)
	run_id TEXT NOT NULL REFERENCES run (run_id), -- run that loaded it
	input_no INTEGER NOT NULL,           -- input of that run
	record_no INTEGER NOT NULL,          -- record of that input
	line_no INTEGER,                     -- line of that record, if known
	UNIQUE (person_id, exam_date)
);

-- Long table of results: fields whose table is `observation`, items with
-- no common field (unknown item codes, field NULL), and the exact text of
-- checkup/person values that are null with a reason, censored or flagged.
CREATE TABLE observation (
	checkup_id INTEGER NOT NULL REFERENCES checkup (checkup_id),
	item_code TEXT,                      -- 17-character 特定健診項目コード, if known
	field TEXT,                          -- common field, NULL for an unknown item
	value_type TEXT NOT NULL
		CHECK (value_type IN ('decimal', 'code', 'text', 'int', 'date', 'null')),
	value_text TEXT,                     -- exact canonical text ("92.0"); for a censored value the bound
	value_num REAL,                      -- numeric value when present (NULL when null or censored)
	code_system TEXT,                    -- OID or table of a code
	unit TEXT,                           -- unit as declared
	null_reason TEXT CHECK (null_reason IS NULL OR null_reason IN
		('not-performed', 'unmeasurable', 'missing', 'below-range',
		 'above-range', 'invalid')),  -- why the value is null; NULL when present
	flag TEXT CHECK (flag IS NULL OR flag IN ('H', 'L')), -- out-of-range flag from the source
	raw TEXT,                            -- source text, for lineage
	source_column TEXT                   -- source column or item it came from
);
CREATE INDEX observation_checkup ON observation (checkup_id);

-- 標準的な質問票 answers: fields whose table is `questionnaire`.
CREATE TABLE questionnaire (
	checkup_id INTEGER NOT NULL REFERENCES checkup (checkup_id),
	item_code TEXT,                      -- 17-character item code, if known
	field TEXT,                          -- common field (q_*)
	answer TEXT,                         -- answer code or text; NULL when null
	code_system TEXT,                    -- OID of the answer code
	null_reason TEXT CHECK (null_reason IS NULL OR null_reason IN
		('not-performed', 'unmeasurable', 'missing', 'below-range',
		 'above-range', 'invalid')),
	raw TEXT,                            -- source text, for lineage
	source_column TEXT                   -- source column or item it came from
);
CREATE INDEX questionnaire_checkup ON questionnaire (checkup_id);

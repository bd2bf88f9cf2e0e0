-- colink warehouse schema (SQLite)
-- schema-version: 15
--
-- This file is the one definition of the warehouse.  out_sqlite embeds it
-- at build time (plugins/out_sqlite/embed-sql.sh) and runs it, inside one
-- transaction, on a database that has no schema_version table yet.
--
-- Privacy: no table holds a raw identifier.  A person is known only by
-- pseudonyms (HMAC-SHA256 under a key derived for the key kind, 64 hex;
-- in SQLite person_key stores them as 32-byte BLOBs, see person_key);
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
--   * The employer's records follow the same rule: one employee row per
--     person, one attendance_month row per person and month, one
--     stress_check per person and date; a second one within a run is
--     rejected, one of an earlier run is replaced (run.*_replaced).
--
-- Two sides.  person.side says whose records created a person:
-- 'association' (健保組合: checkup records, person key card) or 'employer'
-- (事業主: roster, attendance and stress records, person key employee).
-- The two sides are linked only through the link table, which a run with
-- <link> rules fills from the pseudonyms both sides share (see "Linkage"
-- below); nothing else joins them.
--
-- Changing the schema: never edit a released version in place.  Bump the
-- schema-version line above, change this file so that it creates the new
-- schema from nothing, and add mappings/warehouse/migrate-N.sql (N the new
-- version): the statements that turn a version N-1 warehouse into version
-- N (mappings/warehouse/README.md says how).  The plugin applies the
-- migrations in order, in one transaction of their own with foreign keys
-- off (a rebuilt table needs that) just before the run's, and records each
-- version reached in schema_version; the migration commits only if PRAGMA
-- foreign_key_check finds nothing and the run's catalogue fits the tables,
-- else the warehouse stays as it was.
-- Add new columns at the END of a table (ALTER TABLE ADD COLUMN appends):
-- tests/test_out_sqlite.c checks that a migrated warehouse has exactly the
-- tables, columns and indexes of one created from this file.
--
-- History: 1 checkups only.  2 person.side, the employer's tables
-- (employee, attendance_month, stress_check, stress_answer), linkage
-- (link, link_review, link_report, link_summary), run.*_replaced.
-- 3 claims_summary (the association's per-person, per-year claims totals),
-- run.claims_replaced.  4 person.person_no, an integer surrogate assigned
-- in load order: the fact tables (checkup, employee, attendance_month,
-- stress_check, claims_summary) and person_key refer to a person by
-- person_no instead of repeating the 64-hex pseudonym, so their indexes are
-- small and filled in key order (bench/RESULTS.md); person_key loses its
-- pseudonym-only index (every lookup gives the kind).
-- 5 run.normalization (the identity-normalization version a run's
-- pseudonyms were made with; runs and extracts of another version are
-- refused) and run.agreement_signing (who signed the agreement, or
-- 'unsigned').
-- 6 participation (the employer's health-programme participation:
-- walking event, seminar, 給食改善, 禁煙治療補助; one row per person,
-- programme and date) and run.participation_replaced.
-- 7 attendance_month.night_work_minutes and holiday_work_minutes (深夜労働
-- and 休日労働, as real attendance exports carry them).
-- 8 レセプト (UKE claims, issue #21): claim, claim_diagnosis, claim_item,
-- the claim_year view (claims_summary's totals derived from claims),
-- the code masters disease_master and drug_master, and
-- run.claim_rows_replaced.
-- 9 allowance (傷病手当金 payments: period, days, amount, cause as ICD-10
-- and/or 傷病名コード; one row per person and period start) and
-- run.allowance_replaced.
-- 10 review decisions that stick (issue #18 part 6): link_decision (a
-- steward's link / never decision on a review pair, revocable),
-- link_review.group_no (the review group), link_summary.review_association,
-- review_employer (persons in review, apart from unmatched) and
-- linked_decision (links made by decisions).
-- 11 probabilistic linkage (issue #23): person_feature (keyed comparison
-- features), link.weight / levels and link_review.weight / levels (the
-- match weight of a probabilistic pass and the levels that fired), link_em
-- (the pass's m and u estimates), link_weight (its weight histogram).
-- 12 pseudonyms and comparison features stored as BLOBs in SQLite (the
-- bytes their hex spells; PostgreSQL keeps the hex text), the view
-- person_key_hex.
-- 13 in SQLite only: link's two person references checked in bulk after
-- each link phase instead of per inserted row (see link).
-- 14 person_feature's keyed tokens cut to the first 8 bytes of their HMAC
-- (16 hex in PostgreSQL), the bits the probabilistic pass compares: a
-- row of ~420 bytes becomes ~230 (docs/pseudonyms.md says why 64 bits
-- suffice).

-- Versions applied to this warehouse, one row each; the current version is
-- MAX(version).
CREATE TABLE schema_version (
	version INTEGER NOT NULL, -- schema version reached
	applied TEXT NOT NULL     -- when, ISO 8601 UTC
);
INSERT INTO schema_version (version, applied)
	VALUES (15, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));

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
	checkups_replaced INTEGER,        -- checkups of earlier runs this run replaced
	employees_replaced INTEGER,       -- employee rows of earlier runs this run replaced (v2)
	attendance_replaced INTEGER,      -- attendance_month rows of earlier runs replaced (v2)
	stress_replaced INTEGER,          -- stress checks of earlier runs replaced (v2)
	claims_replaced INTEGER,          -- claims_summary rows of earlier runs replaced (v3)
	normalization TEXT,               -- identity-normalization version of its pseudonyms (v5)
	agreement_signing TEXT,           -- 'signed: WHO at WHEN; ...' or 'unsigned' (v5)
	participation_replaced INTEGER,   -- participation rows of earlier runs replaced (v6)
	claim_rows_replaced INTEGER,      -- claim, claim_diagnosis and claim_item rows replaced (v8)
	allowance_replaced INTEGER        -- allowance rows of earlier runs replaced (v9)
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

-- A person, known by the pseudonym of the record's primary key kind.  A
-- person belongs to one side for good: a record of the other side for the
-- same person_id is rejected.  person_no is the warehouse's own number for
-- the person (v4): assigned in load order, meaningless outside this file,
-- and what every other table but link and link_review refers to.  To read
-- a fact table by pseudonym, join person:
--   SELECT p.person_id, c.* FROM checkup c JOIN person p USING (person_no)
CREATE TABLE person (
	person_no INTEGER PRIMARY KEY,       -- surrogate, assigned in load order (v4)
	person_id TEXT NOT NULL UNIQUE,      -- pseudonym of the primary key, 64 hex
	key_id TEXT,                         -- key id the pseudonym was computed under
	sex TEXT,                            -- 性別 (1.2.392.200119.6.1104): 1 男 2 女
	birth_ym INTEGER,                    -- birth year and month, yyyymm (the date is never stored)
	first_run_id TEXT REFERENCES run (run_id), -- run that first loaded the person
	last_run_id TEXT REFERENCES run (run_id),  -- latest run that loaded the person
	side TEXT CHECK (side IN ('association', 'employer'))
		-- whose records created the person: 'association' (checkup),
		-- 'employer' (roster, attendance, stress); v1 persons: 'association'
);
-- In SQLite the column's UNIQUE is rebuilt as the named unique index
-- person_person_id (schema 15, plugins/out_sqlite/schema.c), which a first
-- load drops for its transaction and builds again by one sort after its
-- last input (the load finds persons through a bounded map meanwhile).
-- The linker reads the side of a person_no for every pseudonym it joins;
-- this narrow index answers that from the page cache (v4).
CREATE INDEX person_side ON person (person_no, side);

-- Every pseudonym computed for a person (one per key kind in
-- mappings/common/keys.tsv the record had the parts for): the linker's
-- keys across sources.
-- A run writes its pseudonyms here after its last input, sorted, so the
-- primary key fills in order; look one up by kind and pseudonym.
-- person_no is a person's (person.person_no) but, alone in the warehouse,
-- not a declared foreign key: a run adds a few pseudonyms per person in
-- pseudonym order, and a declared key would look each one up in person at
-- random (bench/RESULTS.md); out_sqlite takes the number from the person
-- row it has just read or written, and its tests check every row.
-- pseudonym (v12): in SQLite the 32 bytes the 64 hex spell, as a BLOB (the
-- column is declared TEXT for PostgreSQL, which stores the hex); a BLOB
-- sorts by its bytes, the order of its lowercase hex.  To read them as
-- hex: the view person_key_hex (person_no, kind, pseudonym as 64 hex,
-- key_id), which out_sqlite creates (SQLite has it, PostgreSQL does not
-- need it):
--   SELECT p.person_id, k.kind, k.pseudonym FROM person_key_hex k
--   JOIN person p USING (person_no)
CREATE TABLE person_key (
	person_no INTEGER NOT NULL,          -- person.person_no
	kind TEXT NOT NULL,                  -- key kind of keys.tsv: card, kana_dob_sex, employee, ...
	pseudonym TEXT NOT NULL,             -- 64 hex
	key_id TEXT,                         -- key id it was computed under
	PRIMARY KEY (kind, pseudonym, person_no)
);
CREATE INDEX person_key_person ON person_key (person_no);

-- One health checkup: a person on an exam date.  Wide columns hold the
-- common-schema fields whose table is `checkup` (fields.tsv), decimals as
-- REAL for analysis.  A value that is null with a reason, censored ("<5":
-- null_reason below-range, the bound in observation.value_text) or flagged
-- H/L is ALSO written to observation with its exact text, so no reason is
-- lost.  checkup(person_no) lookups use the UNIQUE index.
CREATE TABLE checkup (
	checkup_id INTEGER PRIMARY KEY,      -- surrogate key
	person_no INTEGER NOT NULL REFERENCES person (person_no),
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
	UNIQUE (person_no, exam_date)
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

-- ------------------------------------------------------------------
-- The employer's side (事業主), version 2.  person_no is the person whose
-- person_id is the employee pseudonym (person key kind employee); the
-- person row has side 'employer'.  Wide columns are the common-schema fields whose table is
-- employee, attendance or stress (fields.tsv); lineage as for checkup.
-- ------------------------------------------------------------------

-- One row per employee, from roster records (kind roster).  The roster's
-- other pseudonyms (card, kana_dob_sex, kana_dob_sex_insurer) are in
-- person_key: they are what linkage joins on.  A roster of a later run
-- replaces the row whole (a leave_date it leaves empty is empty).
CREATE TABLE employee (
	person_no INTEGER PRIMARY KEY NOT NULL REFERENCES person (person_no),
	site TEXT,                           -- 事業所 (site code)
	job_type TEXT,                       -- 職種 (job type code)
	hire_date TEXT,                      -- 入社日, YYYY-MM-DD
	leave_date TEXT,                     -- 退職日, YYYY-MM-DD; NULL while employed
	run_id TEXT NOT NULL REFERENCES run (run_id), -- run that loaded it
	input_no INTEGER NOT NULL,
	record_no INTEGER NOT NULL,
	line_no INTEGER
);

-- Monthly attendance (勤怠), from attendance records: one row per person
-- and month.  Days are REAL (0.5 = a half day).  The biggest table (12 rows
-- per employee and year): since v4 it is one B-tree keyed by person and
-- month (WITHOUT ROWID) rather than a table plus a unique index.
CREATE TABLE attendance_month (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	year_month TEXT NOT NULL             -- 年月, YYYY-MM
		CHECK (year_month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
	scheduled_days REAL,                 -- 所定労働日数
	worked_days REAL,                    -- 出勤日数
	overtime_minutes INTEGER,            -- 時間外労働 (minutes)
	paid_leave_granted REAL,             -- 有給付与日数
	paid_leave_taken REAL,               -- 有給取得日数
	sick_days REAL,                      -- 病欠日数
	absence_days REAL,                   -- 欠勤日数
	run_id TEXT NOT NULL REFERENCES run (run_id),
	input_no INTEGER NOT NULL,
	record_no INTEGER NOT NULL,
	line_no INTEGER,
	night_work_minutes INTEGER,          -- 深夜労働 22:00-5:00 (minutes, v7)
	holiday_work_minutes INTEGER,        -- 休日労働 (minutes, v7)
	PRIMARY KEY (person_no, year_month)
) WITHOUT ROWID;

-- ストレスチェック, from stress records: one per person and date.  consent
-- is the worker's consent to give the individual result to the employer
-- (労働安全衛生法 66条の10); who may read rows without it is a matter of
-- the joint-use agreement, enforced where the warehouse is read.
CREATE TABLE stress_check (
	stress_check_id INTEGER PRIMARY KEY, -- surrogate key
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	stress_date TEXT NOT NULL            -- 実施日, YYYY-MM-DD
		CHECK (stress_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
	consent TEXT,                        -- 同意 (1.2.392.200119.6.2003): 1 はい 2 いいえ
	score_a INTEGER,                     -- A 仕事のストレス要因 合計
	score_b INTEGER,                     -- B 心身のストレス反応 合計
	score_c INTEGER,                     -- C 周囲のサポート 合計
	high_stress TEXT,                    -- 高ストレス者 (1.2.392.200119.6.2003): 1 はい 2 いいえ
	method TEXT,                         -- 判定方法: total | converted
	run_id TEXT NOT NULL REFERENCES run (run_id),
	input_no INTEGER NOT NULL,
	record_no INTEGER NOT NULL,
	line_no INTEGER,
	UNIQUE (person_no, stress_date)
);

-- 職業性ストレス簡易調査票 answers: fields whose table is stress_answer.
CREATE TABLE stress_answer (
	stress_check_id INTEGER NOT NULL REFERENCES stress_check (stress_check_id),
	field TEXT NOT NULL,                 -- common field (stress_a01 ... stress_d02)
	answer INTEGER,                      -- 1-4; NULL when null
	null_reason TEXT CHECK (null_reason IS NULL OR null_reason IN
		('not-performed', 'unmeasurable', 'missing', 'below-range',
		 'above-range', 'invalid')),
	raw TEXT,                            -- source text, for lineage
	source_column TEXT                   -- source column it came from
);
CREATE INDEX stress_answer_check ON stress_answer (stress_check_id);

-- ------------------------------------------------------------------
-- Linkage, version 2.  A run whose job has <link> rules links employer
-- persons to association persons after its last input, inside its own
-- transaction (a failed run leaves none of it).  Passes run in the job's
-- order, each with one key kind K, over persons not linked yet:
--   candidates = pairs (employer person e, association person a) with a
--                person_key of kind K and the same pseudonym on both;
--   a pair whose e has no other candidate and whose a has no other
--   candidate is linked (link row, this pass);
--   every other candidate pair goes to link_review, and both persons stay
--   unlinked: a later pass, or a later run, may still link them.
-- Links are never undone by a later run; a later run only adds links for
-- persons still unlinked.  Nothing here holds more than pseudonyms.
--
-- To report on a run (colink link report RUN):
--   link_summary  WHERE run_id = RUN  -- one row: the totals
--   link_report   WHERE run_id = RUN ORDER BY pass  -- links per pass
--   link_review   WHERE run_id = RUN  -- the pairs a person must decide
-- ------------------------------------------------------------------

-- One row per linked pair: each person is in at most one link.  The two
-- person references are checked in bulk, not per row (v13): in SQLite
-- out_sqlite builds the table without them and checks every row's two
-- persons after each link phase (plugins/out_sqlite/link_refs.c), as
-- PostgreSQL's dialect does for its bulk-checked tables (pg-ddl.sh); a
-- missing person fails the run.  They stay declared here for what they
-- mean.
CREATE TABLE link (
	employer_person_id TEXT PRIMARY KEY NOT NULL REFERENCES person (person_id),
	association_person_id TEXT NOT NULL UNIQUE REFERENCES person (person_id),
	pass INTEGER NOT NULL,               -- 1-based pass of the job's rules that linked them
	kind TEXT NOT NULL,                  -- key kind of that pass
	run_id TEXT NOT NULL REFERENCES run (run_id), -- run that linked them
	weight REAL,                         -- match weight (log2), probabilistic pass (v11)
	levels TEXT                          -- comparison levels that fired, e.g.
		-- "name=similar dob=exact sex=agree ..." (v11; NULL for exact passes)
);

-- Candidate pairs a pass found but could not link, because a person had
-- more than one candidate.  Rows belong to the run that found them; the
-- latest linking run's rows are the open review list (a rerun finds the
-- same pairs again while they stay unlinked).
CREATE TABLE link_review (
	run_id TEXT NOT NULL REFERENCES run (run_id),
	pass INTEGER NOT NULL,               -- 1-based pass
	kind TEXT NOT NULL,                  -- key kind of the pass
	employer_person_id TEXT NOT NULL REFERENCES person (person_id),
	association_person_id TEXT NOT NULL REFERENCES person (person_id),
	reason TEXT NOT NULL,                -- "employer person has 2 candidates",
		-- "association person has 3 candidates", or both joined by "; "
	group_no INTEGER,                    -- review group (v10): the pairs of one
		-- run and pass that share one pseudonym; numbered warehouse-wide
		-- in the order runs find them; what colink link decide names
	weight REAL,                         -- match weight, probabilistic pass (v11)
	levels TEXT                          -- comparison levels (v11)
);
CREATE INDEX link_review_run ON link_review (run_id, pass);
CREATE INDEX link_review_employer ON link_review (employer_person_id);
CREATE INDEX link_review_association ON link_review (association_person_id);
CREATE INDEX link_review_group ON link_review (group_no);

-- Keyed comparison features of a person (v11, issue #23), one row per
-- person, written only by a run whose job has a probabilistic link pass
-- (a later record's present features replace the earlier ones): name_bf
-- is the normalized kana name as a keyed Bloom filter of character bigrams
-- (512 bits, 128 hex); birth_year, birth_month, birth_day, birth_md (day
-- and month, unordered), sex, insurer, symbol (記号), number (番号) are
-- keyed tokens, each under its own derived key: the first 8 bytes of the
-- HMAC-SHA256 (v14; 16 hex), the bits the probabilistic pass compares;
-- NULL when the record lacked the value (docs/pseudonyms.md).  In SQLite
-- (v12) each is stored as the BLOB its hex spells (64 bytes, 8 bytes;
-- PostgreSQL keeps the hex text).  Like pseudonyms: never
-- printed, never exported.
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

-- The m and u probabilities a probabilistic pass used (v11): per run,
-- pass, feature and comparison level.  u from random pairs, m by EM;
-- weight is the level's weight in the pass's match weights: log2(m/u),
-- raised to a looser level's when that is more (a closer agreement never
-- weighs less).  Feature 'prior', level 'match': m the match share EM
-- found among the blocked pairs, u the rest, weight log2(m/u).
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

-- The match weights of the pairs a probabilistic pass judged (both persons
-- unlinked, found by a blocking rule), one row per run, pass and bin
-- (weight rounded down to an integer, clamped to -40..40) (v11).
CREATE TABLE link_weight (
	run_id TEXT NOT NULL REFERENCES run (run_id),
	pass INTEGER NOT NULL,
	bin INTEGER NOT NULL,
	pairs INTEGER NOT NULL,
	PRIMARY KEY (run_id, pass, bin)
);

-- One row per pass of a linking run.
CREATE TABLE link_report (
	run_id TEXT NOT NULL REFERENCES run (run_id),
	pass INTEGER NOT NULL,               -- 1-based pass
	kind TEXT NOT NULL,                  -- key kind of the pass
	linked INTEGER NOT NULL,             -- links this pass added
	ambiguous INTEGER NOT NULL,          -- link_review rows this pass added
	PRIMARY KEY (run_id, pass)
);

-- One row per linking run: the state of the whole warehouse after it.
CREATE TABLE link_summary (
	run_id TEXT PRIMARY KEY NOT NULL REFERENCES run (run_id),
	passes INTEGER NOT NULL,             -- passes in the job's rules
	association_persons INTEGER NOT NULL, -- persons with side 'association'
	employer_persons INTEGER NOT NULL,   -- persons with side 'employer'
	linked_new INTEGER NOT NULL,         -- links this run added (all passes)
	linked_total INTEGER NOT NULL,       -- links in the warehouse after this run
	ambiguous INTEGER NOT NULL,          -- link_review rows this run added
	unmatched_association INTEGER NOT NULL, -- association persons without a link
		-- (from v10 on: and not in review)
	unmatched_employer INTEGER NOT NULL, -- employer persons without a link
		-- (from v10 on: and not in review)
	review_association INTEGER,          -- association persons in this run's review (v10)
	review_employer INTEGER,             -- employer persons in this run's review (v10)
	linked_decision INTEGER              -- links this run made from decisions (pass 0, v10)
);

-- A steward's decision on a review pair (v10; colink link decide, colink
-- link revoke).  Every later run applies the decisions not revoked, as pass
-- 0 (kind 'decision') before the job's passes:
--   link   the two persons are linked (link.pass 0, kind 'decision') when
--          neither is linked yet;
--   never  the pair is never a candidate again: neither linked nor sent to
--          review by any pass.  What is left of its group follows the
--          passes' rules (a person left with one candidate is linked).
-- A decision is written together with its audit-log entry (the entry is
-- on disk before the COMMIT).  Revoking sets revoked*; revoking a link
-- decision also removes the link it made.  Persons are person_no; who and
-- why are the steward's words, never a value of a record.
CREATE TABLE link_decision (
	decision_id INTEGER PRIMARY KEY,     -- 1, 2, ...: what colink link revoke names
	group_no INTEGER NOT NULL,           -- link_review.group_no it was decided on
	employer_no INTEGER NOT NULL REFERENCES person (person_no),
	association_no INTEGER NOT NULL REFERENCES person (person_no),
	kind TEXT NOT NULL CHECK (kind IN ('link', 'never')),
	decided_by TEXT NOT NULL,            -- the steward (--by)
	why TEXT NOT NULL,                   -- the reason (--why)
	decided TEXT NOT NULL,               -- ISO 8601 UTC
	os_user TEXT,                        -- operating-system user who ran colink
	revoked TEXT,                        -- when revoked, ISO 8601 UTC; NULL: it applies
	revoked_by TEXT,
	revoked_why TEXT
);
CREATE INDEX link_decision_pair ON link_decision (employer_no, association_no);

-- ------------------------------------------------------------------
-- Claims summary (レセプト集計), version 3: the association's side.  One
-- row per person and fiscal year from records of kind claims (person key
-- card, pseudonymized exactly like checkups: the same person).  A row
-- of a later run replaces the earlier one for the same person and year.
-- Read by the white paper (medical cost per person) and the referral
-- follow-up (a visit after the referral exam: last_visit_date).
-- ------------------------------------------------------------------
CREATE TABLE claims_summary (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	fiscal_year INTEGER NOT NULL,        -- 年度 (April-March) the totals cover
	medical_cost INTEGER,                -- 総医療費 (yen)
	visit_days INTEGER,                  -- 受診日数
	last_visit_date TEXT,                -- 最終受診日, YYYY-MM-DD, or NULL
	run_id TEXT REFERENCES run (run_id), -- run that loaded it
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER,
	PRIMARY KEY (person_no, fiscal_year)
) WITHOUT ROWID;

-- ------------------------------------------------------------------
-- Programme participation (⑤ その他), version 6: the employer's side.  One
-- row per person, programme and date from records of kind participation
-- (person key employee, like the roster): the health programmes the
-- employer runs with the association under the joint-use agreement.  A
-- row of a later run replaces the earlier one for the same person,
-- programme and date.  Read by the white paper (participation and
-- completion rates by site and age band).
-- ------------------------------------------------------------------
CREATE TABLE participation (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	program TEXT NOT NULL,               -- programme code (codemaps.tsv participation_program)
	participation_date TEXT NOT NULL,    -- YYYY-MM-DD (first day of a multi-day programme)
	completed TEXT,                      -- 1 修了 2 未修了 (yes_no), NULL unknown
	run_id TEXT REFERENCES run (run_id), -- run that loaded it
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER,
	PRIMARY KEY (person_no, program, participation_date)
) WITHOUT ROWID;

-- ------------------------------------------------------------------
-- レセプト (UKE claims), version 8: the association's side, read by
-- plugins/in_receipt.  One claim row per person and claim key (kind
-- claim), one claim_diagnosis row per SY record (kind diagnosis), one
-- claim_item row per SI/IY/TO record (kind claim_item, loaded only when the
-- job lists that input).  The person is the insurance card of the claim,
-- pseudonymized like a checkup's: a claim and a checkup of one person share
-- person_no.  A row of a later run replaces the earlier one with the same
-- key.  claim_key: 都道府県+点数表+医療機関コード, 請求年月, 診療年月 and
-- レセプト番号 joined by '-'; a child row carries its claim's.  No name,
-- card or birth date is stored (docs/claims.md).
-- claim_year: the claims_summary totals (fiscal year April-March, yen,
-- 診療実日数, last 診療年月) derived from the claims.
-- ------------------------------------------------------------------
CREATE TABLE claim (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	claim_key TEXT NOT NULL,
	service_month TEXT,
	billing_month TEXT,
	institution TEXT,
	score_table TEXT,
	receipt_no TEXT,
	receipt_type TEXT,
	days INTEGER,
	points INTEGER,
	yen INTEGER,
	n_diagnoses INTEGER,
	n_items INTEGER,
	run_id TEXT REFERENCES run (run_id),
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER,
	PRIMARY KEY (person_no, claim_key)
) WITHOUT ROWID;
CREATE TABLE claim_diagnosis (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	claim_key TEXT NOT NULL,
	seq INTEGER NOT NULL,
	service_month TEXT,
	diagnosis_code TEXT,
	start_date TEXT,
	outcome TEXT,
	modifiers TEXT,
	main INTEGER,
	suspected INTEGER,
	run_id TEXT REFERENCES run (run_id),
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER,
	PRIMARY KEY (person_no, claim_key, seq)
) WITHOUT ROWID;
CREATE TABLE claim_item (
	person_no INTEGER NOT NULL REFERENCES person (person_no),
	claim_key TEXT NOT NULL,
	seq INTEGER NOT NULL,
	service_month TEXT,
	record_type TEXT,
	group_code TEXT,
	item_code TEXT,
	quantity REAL,
	points INTEGER,
	times INTEGER,
	run_id TEXT REFERENCES run (run_id),
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER,
	PRIMARY KEY (person_no, claim_key, seq)
) WITHOUT ROWID;
CREATE VIEW claim_year AS
	SELECT person_no,
		CAST(substr(service_month, 1, 4) AS INTEGER)
			- CASE WHEN CAST(substr(service_month, 6, 2) AS INTEGER) < 4 THEN 1 ELSE 0 END
			AS fiscal_year,
		SUM(yen) AS medical_cost,
		SUM(days) AS visit_days,
		MAX(service_month) AS last_service_month,
		COUNT(*) AS claims
	FROM claim WHERE service_month IS NOT NULL
	GROUP BY person_no, fiscal_year;

-- Code masters (version 8): the 傷病名マスター (code -> name, ICD-10) and the
-- 医薬品マスター (code -> name, 薬価基準コード) the user loads from the public
-- files through a mapping (kinds disease_master, drug_master;
-- docs/claims.md).  Codes, not persons: no person_no.  A code of a later
-- run replaces the earlier one.  colink ships no master.
CREATE TABLE disease_master (
	code TEXT NOT NULL PRIMARY KEY,
	name TEXT,
	icd10 TEXT,
	run_id TEXT REFERENCES run (run_id),
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER
) WITHOUT ROWID;
CREATE TABLE drug_master (
	code TEXT NOT NULL PRIMARY KEY,
	name TEXT,
	yj_code TEXT,
	run_id TEXT REFERENCES run (run_id),
	input_no INTEGER,
	record_no INTEGER,
	line_no INTEGER
) WITHOUT ROWID;

-- 傷病手当金 (version 9): the association's sickness-allowance payments
-- (kind allowance, mappings/association/allowance.xml).  One row per person
-- and period start (the natural key of a payment): a later run's row for the
-- same person and period_from replaces the earlier one (a corrected
-- payment; run.allowance_replaced).  The cause is kept as codes only: the
-- ICD-10 code and/or the 傷病名コード (its ICD-10 through disease_master when
-- read); a free-text 傷病名 is never stored.  The loader refuses a period
-- whose end is before its start, negative days or amount, and more days
-- than the period has.
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

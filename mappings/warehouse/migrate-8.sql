-- colink warehouse migration 8: schema version 7 -> 8.
-- Released: never edit (mappings/warehouse/README.md).
--
-- レセプト (UKE claims, issue #21): claim, claim_diagnosis and claim_item
-- (plugins/in_receipt; kinds claim, diagnosis, claim_item), the claim_year
-- view (the claims_summary totals derived from claims) and
-- run.claim_rows_replaced; the code masters disease_master and
-- drug_master (kinds disease_master, drug_master).  Runs before version 8 keep NULL: not recorded.

ALTER TABLE run ADD COLUMN claim_rows_replaced INTEGER;
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

-- colink warehouse migration 3: schema version 2 -> 3.
-- Released: never edit (mappings/warehouse/README.md).
--
-- claims_summary (the association's claims totals), run.claims_replaced.

ALTER TABLE run ADD COLUMN claims_replaced INTEGER;
CREATE TABLE claims_summary (
  person_id TEXT NOT NULL REFERENCES person (person_id),
  fiscal_year INTEGER NOT NULL, medical_cost INTEGER, visit_days INTEGER,
  last_visit_date TEXT, run_id TEXT REFERENCES run (run_id),
  input_no INTEGER, record_no INTEGER, line_no INTEGER,
  PRIMARY KEY (person_id, fiscal_year));

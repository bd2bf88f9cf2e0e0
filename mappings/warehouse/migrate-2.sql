-- colink warehouse migration 2: schema version 1 -> 2.
-- Released: never edit (mappings/warehouse/README.md).
--
-- person.side (every v1 person came from checkups), the employer's tables
-- (employee, attendance_month, stress_check, stress_answer), linkage (link,
-- link_review, link_report, link_summary), run.*_replaced.

ALTER TABLE person ADD COLUMN side TEXT CHECK (side IN ('association', 'employer'));
UPDATE person SET side = 'association';
ALTER TABLE run ADD COLUMN employees_replaced INTEGER;
ALTER TABLE run ADD COLUMN attendance_replaced INTEGER;
ALTER TABLE run ADD COLUMN stress_replaced INTEGER;
CREATE TABLE employee (
  person_id TEXT PRIMARY KEY NOT NULL REFERENCES person (person_id),
  site TEXT, job_type TEXT, hire_date TEXT, leave_date TEXT,
  run_id TEXT NOT NULL REFERENCES run (run_id),
  input_no INTEGER NOT NULL, record_no INTEGER NOT NULL, line_no INTEGER);
CREATE TABLE attendance_month (
  person_id TEXT NOT NULL REFERENCES person (person_id),
  year_month TEXT NOT NULL
    CHECK (year_month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'),
  scheduled_days REAL, worked_days REAL, overtime_minutes INTEGER,
  paid_leave_granted REAL, paid_leave_taken REAL, sick_days REAL,
  absence_days REAL,
  run_id TEXT NOT NULL REFERENCES run (run_id),
  input_no INTEGER NOT NULL, record_no INTEGER NOT NULL, line_no INTEGER,
  UNIQUE (person_id, year_month));
CREATE TABLE stress_check (
  stress_check_id INTEGER PRIMARY KEY,
  person_id TEXT NOT NULL REFERENCES person (person_id),
  stress_date TEXT NOT NULL
    CHECK (stress_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  consent TEXT, score_a INTEGER, score_b INTEGER, score_c INTEGER,
  high_stress TEXT, method TEXT,
  run_id TEXT NOT NULL REFERENCES run (run_id),
  input_no INTEGER NOT NULL, record_no INTEGER NOT NULL, line_no INTEGER,
  UNIQUE (person_id, stress_date));
CREATE TABLE stress_answer (
  stress_check_id INTEGER NOT NULL REFERENCES stress_check (stress_check_id),
  field TEXT NOT NULL, answer INTEGER,
  null_reason TEXT CHECK (null_reason IS NULL OR null_reason IN
    ('not-performed', 'unmeasurable', 'missing', 'below-range',
     'above-range', 'invalid')),
  raw TEXT, source_column TEXT);
CREATE INDEX stress_answer_check ON stress_answer (stress_check_id);
CREATE TABLE link (
  employer_person_id TEXT PRIMARY KEY NOT NULL REFERENCES person (person_id),
  association_person_id TEXT NOT NULL UNIQUE REFERENCES person (person_id),
  pass INTEGER NOT NULL, kind TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES run (run_id));
CREATE TABLE link_review (
  run_id TEXT NOT NULL REFERENCES run (run_id),
  pass INTEGER NOT NULL, kind TEXT NOT NULL,
  employer_person_id TEXT NOT NULL REFERENCES person (person_id),
  association_person_id TEXT NOT NULL REFERENCES person (person_id),
  reason TEXT NOT NULL);
CREATE INDEX link_review_run ON link_review (run_id, pass);
CREATE INDEX link_review_employer ON link_review (employer_person_id);
CREATE INDEX link_review_association ON link_review (association_person_id);
CREATE TABLE link_report (
  run_id TEXT NOT NULL REFERENCES run (run_id),
  pass INTEGER NOT NULL, kind TEXT NOT NULL,
  linked INTEGER NOT NULL, ambiguous INTEGER NOT NULL,
  PRIMARY KEY (run_id, pass));
CREATE TABLE link_summary (
  run_id TEXT PRIMARY KEY NOT NULL REFERENCES run (run_id),
  passes INTEGER NOT NULL, association_persons INTEGER NOT NULL,
  employer_persons INTEGER NOT NULL, linked_new INTEGER NOT NULL,
  linked_total INTEGER NOT NULL, ambiguous INTEGER NOT NULL,
  unmatched_association INTEGER NOT NULL,
  unmatched_employer INTEGER NOT NULL);

-- colink warehouse migration 4: schema version 3 -> 4.
-- Released: never edit (mappings/warehouse/README.md).
--
-- person.person_no, and the fact tables and person_key refer to it instead
-- of the pseudonym.  Column types cannot change in place, so each table is
-- rebuilt (SQLite's "making other kinds of table schema changes": new table,
-- copy, drop, rename); ids, row order and every value are kept, persons
-- numbered in their rowid order.  Needs foreign keys off, which out_sqlite
-- guarantees for every migration (its own transaction, PRAGMA
-- foreign_keys = OFF, PRAGMA foreign_key_check before commit).

CREATE TABLE person_v4 (person_no INTEGER PRIMARY KEY, person_id TEXT NOT NULL UNIQUE, key_id TEXT, sex TEXT, birth_ym INTEGER, first_run_id TEXT REFERENCES run (run_id), last_run_id TEXT REFERENCES run (run_id), side TEXT CHECK (side IN ('association', 'employer')));
INSERT INTO person_v4 (person_id, key_id, sex, birth_ym, first_run_id, last_run_id, side) SELECT person_id, key_id, sex, birth_ym, first_run_id, last_run_id, side FROM person ORDER BY rowid;
CREATE TABLE person_key_v4 (person_no INTEGER NOT NULL, kind TEXT NOT NULL, pseudonym TEXT NOT NULL, key_id TEXT, PRIMARY KEY (kind, pseudonym, person_no));
INSERT INTO person_key_v4 (person_no, kind, pseudonym, key_id) SELECT p.person_no, o.kind, o.pseudonym, o.key_id FROM person_key AS o JOIN person_v4 AS p ON p.person_id = o.person_id ORDER BY o.kind, o.pseudonym, p.person_no;
CREATE TABLE checkup_v4 (checkup_id INTEGER PRIMARY KEY, person_no INTEGER NOT NULL REFERENCES person (person_no), exam_date TEXT NOT NULL CHECK (exam_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'), fiscal_year INTEGER, age_at_exam INTEGER, age_fy_end INTEGER, program_type TEXT, exam_org TEXT, height REAL, weight REAL, bmi REAL, waist REAL, waist_self_judged REAL, waist_self_reported REAL, visceral_fat_area REAL, sbp_1 REAL, sbp_2 REAL, sbp_other REAL, dbp_1 REAL, dbp_2 REAL, dbp_other REAL, blood_draw_timing TEXT, tg_fasting REAL, tg_casual REAL, hdl REAL, ldl REAL, non_hdl REAL, ast REAL, alt REAL, ggt REAL, fpg REAL, casual_glucose REAL, hba1c REAL, urine_glucose TEXT, urine_protein TEXT, creatinine REAL, egfr REAL, hemoglobin REAL, run_id TEXT NOT NULL REFERENCES run (run_id), input_no INTEGER NOT NULL, record_no INTEGER NOT NULL, line_no INTEGER, UNIQUE (person_no, exam_date));
INSERT INTO checkup_v4 (checkup_id, person_no, exam_date, fiscal_year, age_at_exam, age_fy_end, program_type, exam_org, height, weight, bmi, waist, waist_self_judged, waist_self_reported, visceral_fat_area, sbp_1, sbp_2, sbp_other, dbp_1, dbp_2, dbp_other, blood_draw_timing, tg_fasting, tg_casual, hdl, ldl, non_hdl, ast, alt, ggt, fpg, casual_glucose, hba1c, urine_glucose, urine_protein, creatinine, egfr, hemoglobin, run_id, input_no, record_no, line_no) SELECT o.checkup_id, p.person_no, o.exam_date, o.fiscal_year, o.age_at_exam, o.age_fy_end, o.program_type, o.exam_org, o.height, o.weight, o.bmi, o.waist, o.waist_self_judged, o.waist_self_reported, o.visceral_fat_area, o.sbp_1, o.sbp_2, o.sbp_other, o.dbp_1, o.dbp_2, o.dbp_other, o.blood_draw_timing, o.tg_fasting, o.tg_casual, o.hdl, o.ldl, o.non_hdl, o.ast, o.alt, o.ggt, o.fpg, o.casual_glucose, o.hba1c, o.urine_glucose, o.urine_protein, o.creatinine, o.egfr, o.hemoglobin, o.run_id, o.input_no, o.record_no, o.line_no FROM checkup AS o JOIN person_v4 AS p ON p.person_id = o.person_id ORDER BY o.rowid;
CREATE TABLE employee_v4 (person_no INTEGER PRIMARY KEY NOT NULL REFERENCES person (person_no), site TEXT, job_type TEXT, hire_date TEXT, leave_date TEXT, run_id TEXT NOT NULL REFERENCES run (run_id), input_no INTEGER NOT NULL, record_no INTEGER NOT NULL, line_no INTEGER);
INSERT INTO employee_v4 (person_no, site, job_type, hire_date, leave_date, run_id, input_no, record_no, line_no) SELECT p.person_no, o.site, o.job_type, o.hire_date, o.leave_date, o.run_id, o.input_no, o.record_no, o.line_no FROM employee AS o JOIN person_v4 AS p ON p.person_id = o.person_id ORDER BY o.rowid;
CREATE TABLE attendance_month_v4 (person_no INTEGER NOT NULL REFERENCES person (person_no), year_month TEXT NOT NULL CHECK (year_month GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'), scheduled_days REAL, worked_days REAL, overtime_minutes INTEGER, paid_leave_granted REAL, paid_leave_taken REAL, sick_days REAL, absence_days REAL, run_id TEXT NOT NULL REFERENCES run (run_id), input_no INTEGER NOT NULL, record_no INTEGER NOT NULL, line_no INTEGER, PRIMARY KEY (person_no, year_month)) WITHOUT ROWID;
INSERT INTO attendance_month_v4 (person_no, year_month, scheduled_days, worked_days, overtime_minutes, paid_leave_granted, paid_leave_taken, sick_days, absence_days, run_id, input_no, record_no, line_no) SELECT p.person_no, o.year_month, o.scheduled_days, o.worked_days, o.overtime_minutes, o.paid_leave_granted, o.paid_leave_taken, o.sick_days, o.absence_days, o.run_id, o.input_no, o.record_no, o.line_no FROM attendance_month AS o JOIN person_v4 AS p ON p.person_id = o.person_id ORDER BY o.rowid;
CREATE TABLE stress_check_v4 (stress_check_id INTEGER PRIMARY KEY, person_no INTEGER NOT NULL REFERENCES person (person_no), stress_date TEXT NOT NULL CHECK (stress_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'), consent TEXT, score_a INTEGER, score_b INTEGER, score_c INTEGER, high_stress TEXT, method TEXT, run_id TEXT NOT NULL REFERENCES run (run_id), input_no INTEGER NOT NULL, record_no INTEGER NOT NULL, line_no INTEGER, UNIQUE (person_no, stress_date));
INSERT INTO stress_check_v4 (stress_check_id, person_no, stress_date, consent, score_a, score_b, score_c, high_stress, method, run_id, input_no, record_no, line_no) SELECT o.stress_check_id, p.person_no, o.stress_date, o.consent, o.score_a, o.score_b, o.score_c, o.high_stress, o.method, o.run_id, o.input_no, o.record_no, o.line_no FROM stress_check AS o JOIN person_v4 AS p ON p.person_id = o.person_id ORDER BY o.rowid;
CREATE TABLE claims_summary_v4 (person_no INTEGER NOT NULL REFERENCES person (person_no), fiscal_year INTEGER NOT NULL, medical_cost INTEGER, visit_days INTEGER, last_visit_date TEXT, run_id TEXT REFERENCES run (run_id), input_no INTEGER, record_no INTEGER, line_no INTEGER, PRIMARY KEY (person_no, fiscal_year)) WITHOUT ROWID;
INSERT INTO claims_summary_v4 (person_no, fiscal_year, medical_cost, visit_days, last_visit_date, run_id, input_no, record_no, line_no) SELECT p.person_no, o.fiscal_year, o.medical_cost, o.visit_days, o.last_visit_date, o.run_id, o.input_no, o.record_no, o.line_no FROM claims_summary AS o JOIN person_v4 AS p ON p.person_id = o.person_id ORDER BY o.rowid;
DROP TABLE person_key;
DROP TABLE checkup;
DROP TABLE employee;
DROP TABLE attendance_month;
DROP TABLE stress_check;
DROP TABLE claims_summary;
DROP TABLE person;
ALTER TABLE person_v4 RENAME TO person;
ALTER TABLE person_key_v4 RENAME TO person_key;
ALTER TABLE checkup_v4 RENAME TO checkup;
ALTER TABLE employee_v4 RENAME TO employee;
ALTER TABLE attendance_month_v4 RENAME TO attendance_month;
ALTER TABLE stress_check_v4 RENAME TO stress_check;
ALTER TABLE claims_summary_v4 RENAME TO claims_summary;
CREATE INDEX person_key_person ON person_key (person_no);
CREATE INDEX person_side ON person (person_no, side);

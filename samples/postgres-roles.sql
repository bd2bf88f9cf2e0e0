-- postgres-roles.sql -- the reader role of a PostgreSQL warehouse (#16).
--
-- Run once by the loader role (the owner of the warehouse schema, which
-- `colink run` creates at its first run) after that first run:
--     psql "host=localhost dbname=warehouse user=colink_loader" -f samples/postgres-roles.sql
-- It needs CREATEROLE for the CREATE ROLE line (or let the database
-- administrator create colink_reader first and drop that line).
--
-- Two roles:
--   colink_loader   the only role that writes: it owns the schema `colink`
--                   (out_postgres's `schema` setting); colink runs as it.
--   colink_reader   analysts and BI tools (grant it to their login roles):
--                   no access to the schema `colink` itself, only to the
--                   views of `colink_read` below.  Every table holds
--                   pseudonyms only; the views also leave out the ledger
--                   and lineage (run, run_input, input_field_map, reject:
--                   job and input paths, operating-system users) and the
--                   source text of values (observation.raw and the like),
--                   and read a fact table by pseudonym, never by the
--                   warehouse's own person_no.
-- A view runs with its owner's rights, so colink_reader reads through
-- them without any right on the tables.  Re-run after a migration that
-- adds columns you want analysts to see.

SET search_path TO colink;

CREATE ROLE colink_reader NOLOGIN;
CREATE SCHEMA IF NOT EXISTS colink_read;
REVOKE ALL ON SCHEMA colink FROM PUBLIC;

CREATE OR REPLACE VIEW colink_read.person AS
	SELECT person_id, sex, birth_ym, side FROM person;
CREATE OR REPLACE VIEW colink_read.checkup AS
	SELECT p.person_id, c.exam_date, c.fiscal_year, c.age_at_exam, c.age_fy_end,
	       c.program_type, c.height, c.weight, c.bmi, c.waist, c.sbp_1, c.sbp_2,
	       c.sbp_other, c.dbp_1, c.dbp_2, c.dbp_other, c.blood_draw_timing,
	       c.tg_fasting, c.tg_casual, c.hdl, c.ldl, c.non_hdl, c.ast, c.alt, c.ggt,
	       c.fpg, c.casual_glucose, c.hba1c, c.urine_glucose, c.urine_protein,
	       c.creatinine, c.egfr, c.hemoglobin
	FROM checkup c JOIN person p ON p.person_no = c.person_no;
CREATE OR REPLACE VIEW colink_read.observation AS
	SELECT p.person_id, c.exam_date, o.item_code, o.field, o.value_type, o.value_text,
	       o.value_num, o.code_system, o.unit, o.null_reason, o.flag
	FROM observation o JOIN checkup c ON c.checkup_id = o.checkup_id
	JOIN person p ON p.person_no = c.person_no;
CREATE OR REPLACE VIEW colink_read.questionnaire AS
	SELECT p.person_id, c.exam_date, q.item_code, q.field, q.answer, q.code_system,
	       q.null_reason
	FROM questionnaire q JOIN checkup c ON c.checkup_id = q.checkup_id
	JOIN person p ON p.person_no = c.person_no;
CREATE OR REPLACE VIEW colink_read.employee AS
	SELECT p.person_id, e.site, e.job_type, e.hire_date, e.leave_date
	FROM employee e JOIN person p ON p.person_no = e.person_no;
CREATE OR REPLACE VIEW colink_read.attendance_month AS
	SELECT p.person_id, a.year_month, a.scheduled_days, a.worked_days,
	       a.overtime_minutes, a.paid_leave_granted, a.paid_leave_taken, a.sick_days,
	       a.absence_days
	FROM attendance_month a JOIN person p ON p.person_no = a.person_no;
-- stress checks only with the worker's consent (労働安全衛生法 66条の10)
CREATE OR REPLACE VIEW colink_read.stress_check AS
	SELECT p.person_id, s.stress_date, s.score_a, s.score_b, s.score_c, s.high_stress,
	       s.method
	FROM stress_check s JOIN person p ON p.person_no = s.person_no
	WHERE s.consent = '1';
CREATE OR REPLACE VIEW colink_read.claims_summary AS
	SELECT p.person_id, c.fiscal_year, c.medical_cost, c.visit_days, c.last_visit_date
	FROM claims_summary c JOIN person p ON p.person_no = c.person_no;
CREATE OR REPLACE VIEW colink_read.participation AS
	SELECT p.person_id, x.program, x.participation_date, x.completed
	FROM participation x JOIN person p ON p.person_no = x.person_no;
CREATE OR REPLACE VIEW colink_read.link AS
	SELECT employer_person_id, association_person_id, pass, kind FROM link;
CREATE OR REPLACE VIEW colink_read.link_summary AS
	SELECT passes, association_persons, employer_persons, linked_new, linked_total,
	       ambiguous, unmatched_association, unmatched_employer FROM link_summary;

GRANT USAGE ON SCHEMA colink_read TO colink_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA colink_read TO colink_reader;

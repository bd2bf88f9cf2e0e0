-- colink warehouse migration 7: schema version 6 -> 7.
-- Released: never edit (mappings/warehouse/README.md).
--
-- Attendance fields real exports carry (issue #18): night work (深夜労働,
-- 22:00-5:00) and holiday work (休日労働) minutes per person and month.
-- Rows of runs before version 7 keep NULL: not recorded.

ALTER TABLE attendance_month ADD COLUMN night_work_minutes INTEGER;
ALTER TABLE attendance_month ADD COLUMN holiday_work_minutes INTEGER;

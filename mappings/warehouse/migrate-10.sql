-- colink warehouse migration 10: schema version 9 -> 10.
-- Released: never edit (mappings/warehouse/README.md).
--
-- Review decisions that stick (issue #18 part 6): link_decision (a
-- steward's "link these two" / "never link them", who and why, revocable;
-- colink link decide / revoke), link_review.group_no (the review group a
-- pair belongs to: the pairs of one pass sharing one pseudonym), and
-- link_summary.review_association / review_employer (persons, not pairs,
-- sent to review; from version 10 on unmatched_* leaves them out).  Rows
-- before version 10 keep NULL: not recorded.

ALTER TABLE link_review ADD COLUMN group_no INTEGER;
ALTER TABLE link_summary ADD COLUMN review_association INTEGER;
ALTER TABLE link_summary ADD COLUMN review_employer INTEGER;
ALTER TABLE link_summary ADD COLUMN linked_decision INTEGER;
CREATE INDEX link_review_group ON link_review (group_no);
CREATE TABLE link_decision (
	decision_id INTEGER PRIMARY KEY,
	group_no INTEGER NOT NULL,
	employer_no INTEGER NOT NULL REFERENCES person (person_no),
	association_no INTEGER NOT NULL REFERENCES person (person_no),
	kind TEXT NOT NULL CHECK (kind IN ('link', 'never')),
	decided_by TEXT NOT NULL,
	why TEXT NOT NULL,
	decided TEXT NOT NULL,
	os_user TEXT,
	revoked TEXT,
	revoked_by TEXT,
	revoked_why TEXT
);
CREATE INDEX link_decision_pair ON link_decision (employer_no, association_no);

-- colink warehouse migration 5: schema version 4 -> 5.
-- Released: never edit (mappings/warehouse/README.md).
--
-- The ledger records how each run's pseudonyms were made and how its
-- agreement was trusted (#24):
--   run.normalization      the identity-normalization version (colink's
--                          folding rules and the Unicode version of the
--                          tables), so that pseudonyms made under another
--                          version are never linked with these;
--   run.agreement_signing  'signed: ...' (who signed the agreement, and
--                          when) or 'unsigned' (--unsigned-agreement).
-- Runs before version 5 keep NULL: not recorded.

ALTER TABLE run ADD COLUMN normalization TEXT;
ALTER TABLE run ADD COLUMN agreement_signing TEXT;

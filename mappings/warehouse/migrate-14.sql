-- colink warehouse migration 14: schema version 13 -> 14.
-- Released: never edit (mappings/warehouse/README.md).
--
-- person_feature's keyed tokens (birth_year, birth_month, birth_day,
-- birth_md, sex, insurer, symbol, number; issue #23's link phase) keep
-- the first 8 bytes of their HMAC-SHA256, the 64 bits the probabilistic
-- pass has always compared: the table's rows shrink from ~420 to ~230
-- bytes and the links stay the same (docs/pseudonyms.md: why 64 bits
-- suffice).  name_bf, the name's Bloom filter, is unchanged.  A token is
-- a 32-byte BLOB in SQLite (schema 12) and 64 hex in PostgreSQL; either
-- becomes its first 8 bytes, resp. its first 16 hex (the same bits).  A
-- value of any other length is left as it is (not a token colink wrote;
-- the pass counts it as absent).  SQLite keeps the file's size until a
-- VACUUM: the freed bytes are reused by later runs.
UPDATE person_feature SET
	birth_year = CASE length(birth_year) WHEN 32 THEN substr(birth_year, 1, 8)
		WHEN 64 THEN substr(birth_year, 1, 16) ELSE birth_year END,
	birth_month = CASE length(birth_month) WHEN 32 THEN substr(birth_month, 1, 8)
		WHEN 64 THEN substr(birth_month, 1, 16) ELSE birth_month END,
	birth_day = CASE length(birth_day) WHEN 32 THEN substr(birth_day, 1, 8)
		WHEN 64 THEN substr(birth_day, 1, 16) ELSE birth_day END,
	birth_md = CASE length(birth_md) WHEN 32 THEN substr(birth_md, 1, 8)
		WHEN 64 THEN substr(birth_md, 1, 16) ELSE birth_md END,
	sex = CASE length(sex) WHEN 32 THEN substr(sex, 1, 8)
		WHEN 64 THEN substr(sex, 1, 16) ELSE sex END,
	insurer = CASE length(insurer) WHEN 32 THEN substr(insurer, 1, 8)
		WHEN 64 THEN substr(insurer, 1, 16) ELSE insurer END,
	symbol = CASE length(symbol) WHEN 32 THEN substr(symbol, 1, 8)
		WHEN 64 THEN substr(symbol, 1, 16) ELSE symbol END,
	number = CASE length(number) WHEN 32 THEN substr(number, 1, 8)
		WHEN 64 THEN substr(number, 1, 16) ELSE number END;

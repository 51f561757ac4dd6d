-- gatehouse schema version 4 (SQLite): the version of the parameters and
-- the schema (storage.Versions.Parameters), beside the policy version in
-- the single row of gh_policy, bumped in the same transaction as every put
-- and delete of a parameter and every put of the schema.
ALTER TABLE gh_policy ADD COLUMN parameters_version INTEGER NOT NULL DEFAULT 0;

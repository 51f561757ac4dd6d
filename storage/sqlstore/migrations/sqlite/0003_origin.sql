-- gatehouse schema version 3 (SQLite): every role and parameter records
-- whether applying the data file put it (1) or it was created at run time
-- (0); applying the file deletes one it no longer names only when it is 1.
-- Before this version every role and parameter came from the data file
-- (applying it deleted all others), so existing rows take 1. The store
-- names the column in every insert, so the default serves only those rows.
ALTER TABLE gh_roles ADD COLUMN from_data_file INTEGER NOT NULL DEFAULT 1;
ALTER TABLE gh_parameters ADD COLUMN from_data_file INTEGER NOT NULL DEFAULT 1;

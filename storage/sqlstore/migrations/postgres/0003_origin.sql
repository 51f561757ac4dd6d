-- gatehouse schema version 3 (PostgreSQL): every role and parameter records
-- whether applying the data file put it (true) or it was created at run
-- time (false); applying the file deletes one it no longer names only when
-- it is true. Before this version every role and parameter came from the
-- data file (applying it deleted all others), so existing rows take true;
-- rows inserted later are created at run time unless the store says so.
ALTER TABLE gh_roles ADD COLUMN from_data_file BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE gh_roles ALTER COLUMN from_data_file SET DEFAULT FALSE;
ALTER TABLE gh_parameters ADD COLUMN from_data_file BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE gh_parameters ALTER COLUMN from_data_file SET DEFAULT FALSE;

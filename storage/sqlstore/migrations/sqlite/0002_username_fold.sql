-- gatehouse schema version 2 (SQLite): usernames are unique up to case.
-- SQLite's lower() folds only the ASCII letters, exactly as
-- storage.FoldUsername does; GetUserByUsername looks users up by this index
-- (WHERE lower(username) = the folded name).
-- A database that already holds two usernames equal up to case cannot take
-- the index: before this file runs, migrate.go looks for such users and
-- refuses with ErrUsernamesCollide naming them, and the database is left at
-- version 1.
CREATE UNIQUE INDEX gh_users_username_fold ON gh_users (lower(username));

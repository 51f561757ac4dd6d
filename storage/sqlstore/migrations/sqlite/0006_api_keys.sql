-- gatehouse schema version 6 (SQLite): API keys (storage.APIKeyStore).
-- key_hash is the SHA-256 of the key (the store never sees a key): the
-- primary key, so that authenticating a key is one indexed read. id is
-- the key's public name, unique; roles_json the roles the key narrows to
-- (a JSON array, empty: all of the user's).
CREATE TABLE gh_api_keys (
	key_hash TEXT PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	user_id TEXT NOT NULL,
	name TEXT NOT NULL,
	roles_json TEXT NOT NULL,
	created_us INTEGER NOT NULL,
	expires_us INTEGER NOT NULL,
	last_used_us INTEGER NOT NULL,
	epoch INTEGER NOT NULL,
	revoked INTEGER NOT NULL
);
CREATE INDEX gh_api_keys_user ON gh_api_keys (user_id, created_us);

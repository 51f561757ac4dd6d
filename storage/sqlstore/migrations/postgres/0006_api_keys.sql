-- gatehouse schema version 6 (PostgreSQL): API keys (storage.APIKeyStore).
-- key_hash is the SHA-256 of the key (the store never sees a key): the
-- primary key, so that authenticating a key is one indexed read. id is
-- the key's public name, unique; roles_json the roles the key narrows to
-- (a JSON array, empty: all of the user's).
CREATE TABLE gh_api_keys (
	key_hash TEXT COLLATE "C" PRIMARY KEY,
	id TEXT COLLATE "C" NOT NULL UNIQUE,
	user_id TEXT COLLATE "C" NOT NULL,
	name TEXT NOT NULL,
	roles_json TEXT NOT NULL,
	created_us BIGINT NOT NULL,
	expires_us BIGINT NOT NULL,
	last_used_us BIGINT NOT NULL,
	epoch BIGINT NOT NULL,
	revoked BOOLEAN NOT NULL
);
CREATE INDEX gh_api_keys_user ON gh_api_keys (user_id, created_us);

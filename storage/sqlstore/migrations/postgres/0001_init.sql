-- gatehouse schema version 1 (PostgreSQL). Times are microseconds since the
-- Unix epoch (UTC), durations nanoseconds. Keys and sorted columns use the
-- "C" collation so that ordering is bytewise whatever the database locale.
CREATE TABLE gh_users (
	id TEXT COLLATE "C" PRIMARY KEY,
	username TEXT COLLATE "C" NOT NULL UNIQUE,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	phone TEXT NOT NULL,
	company TEXT COLLATE "C" NOT NULL,
	locale TEXT NOT NULL,
	timezone TEXT NOT NULL,
	access TEXT NOT NULL,
	admin BOOLEAN NOT NULL,
	blocked BOOLEAN NOT NULL,
	roles TEXT NOT NULL,
	attributes TEXT NOT NULL,
	parameters TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	password_changed_us BIGINT NOT NULL,
	session_epoch BIGINT NOT NULL,
	created_us BIGINT NOT NULL,
	updated_us BIGINT NOT NULL,
	version BIGINT NOT NULL
);
CREATE INDEX gh_users_company ON gh_users (company, username);

CREATE TABLE gh_roles (
	code TEXT COLLATE "C" PRIMARY KEY,
	body TEXT NOT NULL
);
CREATE TABLE gh_policy (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO gh_policy (id, version) VALUES (1, 0);

CREATE TABLE gh_parameters (
	code TEXT COLLATE "C" PRIMARY KEY,
	title TEXT NOT NULL,
	value TEXT NOT NULL
);
CREATE TABLE gh_app_schema (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	body TEXT NOT NULL
);

CREATE TABLE gh_sessions (
	id_hash TEXT COLLATE "C" PRIMARY KEY,
	user_id TEXT COLLATE "C" NOT NULL,
	created_us BIGINT NOT NULL,
	expires_us BIGINT NOT NULL,
	last_seen_us BIGINT NOT NULL,
	client_ip TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	epoch BIGINT NOT NULL,
	revoked BOOLEAN NOT NULL
);
CREATE INDEX gh_sessions_user ON gh_sessions (user_id, created_us);
CREATE INDEX gh_sessions_expires ON gh_sessions (expires_us);

CREATE TABLE gh_audit (
	trace_code TEXT COLLATE "C" PRIMARY KEY,
	time_us BIGINT NOT NULL,
	username TEXT COLLATE "C" NOT NULL,
	company TEXT COLLATE "C" NOT NULL,
	server TEXT NOT NULL,
	service TEXT COLLATE "C" NOT NULL,
	operation_id TEXT COLLATE "C" NOT NULL,
	method_group TEXT COLLATE "C" NOT NULL,
	points BIGINT NOT NULL,
	unique_points BIGINT NOT NULL,
	duration_ns BIGINT NOT NULL,
	outcome TEXT NOT NULL,
	client_ip TEXT NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX gh_audit_company ON gh_audit (company, username, time_us);
CREATE TABLE gh_audit_attachments (
	trace_code TEXT COLLATE "C" NOT NULL REFERENCES gh_audit (trace_code) ON DELETE CASCADE,
	flow TEXT NOT NULL,
	stage INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	data BYTEA,
	PRIMARY KEY (trace_code, flow, stage)
);

CREATE TABLE gh_counters (
	key TEXT COLLATE "C" PRIMARY KEY,
	value BIGINT NOT NULL,
	expires_us BIGINT NOT NULL
);
CREATE TABLE gh_slots (
	key TEXT COLLATE "C" NOT NULL,
	holder TEXT COLLATE "C" NOT NULL,
	expires_us BIGINT NOT NULL,
	PRIMARY KEY (key, holder)
);

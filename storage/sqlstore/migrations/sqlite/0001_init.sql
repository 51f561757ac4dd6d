-- gatehouse schema version 1 (SQLite). Times are microseconds since the
-- Unix epoch (UTC), durations nanoseconds. SQLite compares text bytewise.
CREATE TABLE gh_users (
	id TEXT PRIMARY KEY,
	username TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	phone TEXT NOT NULL,
	company TEXT NOT NULL,
	locale TEXT NOT NULL,
	timezone TEXT NOT NULL,
	access TEXT NOT NULL,
	admin INTEGER NOT NULL,
	blocked INTEGER NOT NULL,
	roles TEXT NOT NULL,
	attributes TEXT NOT NULL,
	parameters TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	password_changed_us INTEGER NOT NULL,
	session_epoch INTEGER NOT NULL,
	created_us INTEGER NOT NULL,
	updated_us INTEGER NOT NULL,
	version INTEGER NOT NULL
);
CREATE INDEX gh_users_company ON gh_users (company, username);

CREATE TABLE gh_roles (
	code TEXT PRIMARY KEY,
	body TEXT NOT NULL
);
CREATE TABLE gh_policy (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);
INSERT INTO gh_policy (id, version) VALUES (1, 0);

CREATE TABLE gh_parameters (
	code TEXT PRIMARY KEY,
	title TEXT NOT NULL,
	value TEXT NOT NULL
);
CREATE TABLE gh_app_schema (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	body TEXT NOT NULL
);

CREATE TABLE gh_sessions (
	id_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	created_us INTEGER NOT NULL,
	expires_us INTEGER NOT NULL,
	last_seen_us INTEGER NOT NULL,
	client_ip TEXT NOT NULL,
	user_agent TEXT NOT NULL,
	epoch INTEGER NOT NULL,
	revoked INTEGER NOT NULL
);
CREATE INDEX gh_sessions_user ON gh_sessions (user_id, created_us);
CREATE INDEX gh_sessions_expires ON gh_sessions (expires_us);

CREATE TABLE gh_audit (
	trace_code TEXT PRIMARY KEY,
	time_us INTEGER NOT NULL,
	username TEXT NOT NULL,
	company TEXT NOT NULL,
	server TEXT NOT NULL,
	service TEXT NOT NULL,
	operation_id TEXT NOT NULL,
	method_group TEXT NOT NULL,
	points INTEGER NOT NULL,
	unique_points INTEGER NOT NULL,
	duration_ns INTEGER NOT NULL,
	outcome TEXT NOT NULL,
	client_ip TEXT NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX gh_audit_company ON gh_audit (company, username, time_us);
CREATE TABLE gh_audit_attachments (
	trace_code TEXT NOT NULL REFERENCES gh_audit (trace_code) ON DELETE CASCADE,
	flow TEXT NOT NULL,
	stage INTEGER NOT NULL,
	content_type TEXT NOT NULL,
	data BLOB,
	PRIMARY KEY (trace_code, flow, stage)
);

CREATE TABLE gh_counters (
	key TEXT PRIMARY KEY,
	value INTEGER NOT NULL,
	expires_us INTEGER NOT NULL
);
CREATE TABLE gh_slots (
	key TEXT NOT NULL,
	holder TEXT NOT NULL,
	expires_us INTEGER NOT NULL,
	PRIMARY KEY (key, holder)
);

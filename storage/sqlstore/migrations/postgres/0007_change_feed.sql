-- gatehouse schema version 7 (PostgreSQL): the change feed
-- (storage.ChangeFeed). Triggers publish, with pg_notify on the channel
-- gatehouse_changes, every write that ends or narrows access, inside the
-- writing transaction: PostgreSQL delivers the notification when, and only
-- if, the transaction commits, so the writer's commit and its message are
-- one. Triggers rather than calls in Go so that a write by any binary, or
-- by hand, is published. Payloads are storage.EncodeChange's: s:<id hash>,
-- u:<user id>, p (roles), v (parameters and schema).
CREATE FUNCTION gh_notify_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('gatehouse_changes', 's:' || OLD.id_hash);
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_sessions_revoked AFTER UPDATE OF revoked ON gh_sessions
	FOR EACH ROW WHEN (NEW.revoked AND NOT OLD.revoked) EXECUTE FUNCTION gh_notify_session();
CREATE TRIGGER gh_sessions_deleted AFTER DELETE ON gh_sessions
	FOR EACH ROW WHEN (NOT OLD.revoked) EXECUTE FUNCTION gh_notify_session();

CREATE FUNCTION gh_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('gatehouse_changes', 'u:' || OLD.id);
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_users_changed AFTER UPDATE OR DELETE ON gh_users
	FOR EACH ROW EXECUTE FUNCTION gh_notify_user();

CREATE FUNCTION gh_notify_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('gatehouse_changes', 'p');
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_roles_changed AFTER INSERT OR UPDATE OR DELETE ON gh_roles
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_policy();

CREATE FUNCTION gh_notify_parameters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('gatehouse_changes', 'v');
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_parameters_changed AFTER INSERT OR UPDATE OR DELETE ON gh_parameters
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_parameters();
CREATE TRIGGER gh_app_schema_changed AFTER INSERT OR UPDATE OR DELETE ON gh_app_schema
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_parameters();

-- The versions themselves: a change of gh_policy that moves one.
CREATE FUNCTION gh_notify_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.version IS DISTINCT FROM OLD.version THEN
		PERFORM pg_notify('gatehouse_changes', 'p');
	END IF;
	IF NEW.parameters_version IS DISTINCT FROM OLD.parameters_version THEN
		PERFORM pg_notify('gatehouse_changes', 'v');
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_policy_changed AFTER UPDATE ON gh_policy
	FOR EACH ROW EXECUTE FUNCTION gh_notify_versions();

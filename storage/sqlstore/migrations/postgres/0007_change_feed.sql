-- gatehouse schema version 7 (PostgreSQL): the change feed
-- (storage.ChangeFeed). Triggers publish, with pg_notify, every write that
-- ends or narrows access, inside the writing transaction: PostgreSQL
-- delivers the notification when, and only if, the transaction commits, so
-- the writer's commit and its message are one. Triggers rather than calls
-- in Go so that a write by any binary, or by hand, is published.
--
-- The channel is gh_changes_ and 16 hex digits of the MD5 of the tables'
-- schema (TG_TABLE_SCHEMA), so that deployments sharing a database in
-- their own schemas do not hear each other. Every function runs with
-- search_path = pg_catalog, pg_temp: a writer whose search_path lacks this
-- schema (a schema-qualified write by hand) is published too, and no
-- function earlier on a writer's path can stand in for one used here. Payloads are
-- storage.EncodeChange's: s:<id hash>, u:<user id>, p (roles), v
-- (parameters and schema), and * (anything may have changed: a TRUNCATE,
-- the versions row deleted, a user id too long for a payload).
-- A session revoked, deleted, or changed in what the live-session rule
-- reads (expiry, epoch, user). Touches (last_seen_us) are not published.
-- The expiry sweep (DeleteExpiredSessions) sets gatehouse.clock_us to the
-- store's clock for its transaction: a session it deletes that had expired
-- by then is not published, since every process refuses it from its own
-- copy; one still live by that clock is.
CREATE FUNCTION gh_notify_session() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF TG_OP = 'DELETE' AND OLD.expires_us <= coalesce(nullif(current_setting('gatehouse.clock_us', true), '')::bigint, -1) THEN
		RETURN NULL;
	END IF;
	PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), 's:' || OLD.id_hash);
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_sessions_changed AFTER UPDATE ON gh_sessions
	FOR EACH ROW WHEN ((NEW.revoked AND NOT OLD.revoked) OR NEW.expires_us < OLD.expires_us
		OR NEW.epoch <> OLD.epoch OR NEW.user_id <> OLD.user_id OR NEW.id_hash <> OLD.id_hash)
	EXECUTE FUNCTION gh_notify_session();
CREATE TRIGGER gh_sessions_deleted AFTER DELETE ON gh_sessions
	FOR EACH ROW WHEN (NOT OLD.revoked) EXECUTE FUNCTION gh_notify_session();

-- A user updated or deleted: any column may matter (epoch, blocked,
-- access, roles, attributes, parameters, password).
CREATE FUNCTION gh_notify_user() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF octet_length(OLD.id) > 7000 THEN
		-- pg_notify refuses payloads of 8000 bytes and more.
		PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), '*');
	ELSE
		PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), 'u:' || OLD.id);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_users_changed AFTER UPDATE OR DELETE ON gh_users
	FOR EACH ROW EXECUTE FUNCTION gh_notify_user();

-- A change of roles, parameters or the schema also moves its version
-- (storage.Versions), so that a write by hand or by a binary that does
-- not move it is not hidden from the processes that compile or keep
-- what they read under the version; gatehouse's own writes move it too,
-- and a version only needs to move.
CREATE FUNCTION gh_notify_policy() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	EXECUTE format('UPDATE %I.gh_policy SET version = version + 1 WHERE id = 1', TG_TABLE_SCHEMA);
	PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), 'p');
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_roles_changed AFTER INSERT OR UPDATE OR DELETE ON gh_roles
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_policy();

CREATE FUNCTION gh_notify_parameters() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	EXECUTE format('UPDATE %I.gh_policy SET parameters_version = parameters_version + 1 WHERE id = 1', TG_TABLE_SCHEMA);
	PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), 'v');
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_parameters_changed AFTER INSERT OR UPDATE OR DELETE ON gh_parameters
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_parameters();
CREATE TRIGGER gh_app_schema_changed AFTER INSERT OR UPDATE OR DELETE ON gh_app_schema
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_parameters();

-- The versions themselves: an update of gh_policy that moves one.
CREATE FUNCTION gh_notify_versions() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	IF NEW.version IS DISTINCT FROM OLD.version THEN
		PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), 'p');
	END IF;
	IF NEW.parameters_version IS DISTINCT FROM OLD.parameters_version THEN
		PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), 'v');
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_policy_changed AFTER UPDATE ON gh_policy
	FOR EACH ROW EXECUTE FUNCTION gh_notify_versions();

-- Whatever else may change what a process keeps: everything is dropped.
CREATE FUNCTION gh_notify_all() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM pg_notify('gh_changes_' || left(md5(TG_TABLE_SCHEMA), 16), '*');
	RETURN NULL;
END
$$;
CREATE TRIGGER gh_policy_deleted AFTER DELETE OR INSERT ON gh_policy
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_all();
CREATE TRIGGER gh_sessions_truncated AFTER TRUNCATE ON gh_sessions
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_all();
CREATE TRIGGER gh_users_truncated AFTER TRUNCATE ON gh_users
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_all();
CREATE TRIGGER gh_roles_truncated AFTER TRUNCATE ON gh_roles
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_all();
CREATE TRIGGER gh_parameters_truncated AFTER TRUNCATE ON gh_parameters
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_all();
CREATE TRIGGER gh_app_schema_truncated AFTER TRUNCATE ON gh_app_schema
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_all();
CREATE TRIGGER gh_policy_truncated AFTER TRUNCATE ON gh_policy
	FOR EACH STATEMENT EXECUTE FUNCTION gh_notify_all();

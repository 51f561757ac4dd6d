-- gatehouse schema version 5 (SQLite): the user's second factor and
-- pending password reset (user.User): the TOTP secret sealed by package
-- session (never the plain secret), whether it is confirmed, the last time
-- step accepted (no replay), the hashes of the unused recovery codes (JSON
-- array), and the hash, expiry and epoch of a reset token.
ALTER TABLE gh_users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE gh_users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gh_users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gh_users ADD COLUMN recovery_codes TEXT NOT NULL DEFAULT 'null';
ALTER TABLE gh_users ADD COLUMN reset_token_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE gh_users ADD COLUMN reset_expires_us INTEGER NOT NULL DEFAULT 0;
ALTER TABLE gh_users ADD COLUMN reset_epoch INTEGER NOT NULL DEFAULT 0;

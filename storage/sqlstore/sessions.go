package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// sessionStore keeps sessions in gh_sessions, keyed by id_hash (the store
// never sees a session id itself). A session whose expires_us is at or
// before the store's clock is treated as absent until
// DeleteExpiredSessions removes it.
type sessionStore struct{ s *Store }

const sessionColumns = "id_hash, user_id, created_us, expires_us, last_seen_us, client_ip, user_agent, epoch, revoked"

func scanSession(row interface{ Scan(...any) error }) (storage.Session, error) {
	var ss sessionScan
	if err := row.Scan(ss.dest()...); err != nil {
		return storage.Session{}, err
	}
	return ss.session(), nil
}

// sessionScan holds the scanned values of sessionColumns until session
// converts them, so that a query may read them beside other columns.
type sessionScan struct {
	x                      storage.Session
	created, expires, seen int64
}

// dest returns the scan destinations of sessionColumns, in order.
func (ss *sessionScan) dest() []any {
	x := &ss.x
	return []any{&x.IDHash, &x.UserID, &ss.created, &ss.expires, &ss.seen, &x.ClientIP, &x.UserAgent, &x.Epoch, &x.Revoked}
}

func (ss *sessionScan) session() storage.Session {
	x := ss.x
	x.CreatedAt, x.ExpiresAt, x.LastSeenAt = fromUS(ss.created), fromUS(ss.expires), fromUS(ss.seen)
	return x
}

func (ss *sessionStore) CreateSession(ctx context.Context, x storage.Session) error {
	s := ss.s
	if err := checkCtx(ctx, "create session"); err != nil {
		return err
	}
	if x.IDHash == "" || x.UserID == "" {
		return fmt.Errorf("sqlstore: create session: empty id hash or user id: %w", storage.ErrInvalid)
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO gh_sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`),
		x.IDHash, x.UserID, toUS(x.CreatedAt), toUS(x.ExpiresAt), toUS(x.LastSeenAt), x.ClientIP, x.UserAgent, x.Epoch, x.Revoked)
	if isUniqueViolation(err) {
		return fmt.Errorf("sqlstore: create session: id hash in use: %w", storage.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create session: %w", err)
	}
	return nil
}

func (ss *sessionStore) GetSession(ctx context.Context, idHash string) (storage.Session, error) {
	s := ss.s
	if err := checkCtx(ctx, "get session"); err != nil {
		return storage.Session{}, err
	}
	x, err := scanSession(s.db.QueryRowContext(ctx, s.q(`SELECT `+sessionColumns+` FROM gh_sessions
		WHERE id_hash = $1 AND expires_us > $2`), idHash, s.clock()))
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Session{}, fmt.Errorf("sqlstore: session: %w", storage.ErrNotFound)
	}
	if err != nil {
		return storage.Session{}, fmt.Errorf("sqlstore: session: %w", err)
	}
	return x, nil
}

// update runs an UPDATE of one live session and maps "no row" to
// ErrNotFound.
func (ss *sessionStore) update(ctx context.Context, op, query string, args ...any) error {
	s := ss.s
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

func (ss *sessionStore) TouchSession(ctx context.Context, idHash string, lastSeen time.Time) error {
	return ss.update(ctx, "touch session", `UPDATE gh_sessions
		SET last_seen_us = CASE WHEN last_seen_us < $2 THEN $2 ELSE last_seen_us END
		WHERE id_hash = $1 AND expires_us > $3`, idHash, toUS(lastSeen), ss.s.clock())
}

func (ss *sessionStore) RevokeSession(ctx context.Context, idHash string) error {
	return ss.update(ctx, "revoke session", `UPDATE gh_sessions SET revoked = $2
		WHERE id_hash = $1 AND expires_us > $3`, idHash, true, ss.s.clock())
}

func (ss *sessionStore) ListSessions(ctx context.Context, userID string) ([]storage.Session, error) {
	s := ss.s
	if err := checkCtx(ctx, "list sessions"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+sessionColumns+` FROM gh_sessions
		WHERE user_id = $1 AND expires_us > $2 ORDER BY created_us, id_hash`), userID, s.clock())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list sessions: %w", err)
	}
	defer rows.Close()
	var out []storage.Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list sessions: %w", err)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list sessions: %w", err)
	}
	return out, nil
}

func (ss *sessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	s := ss.s
	if err := checkCtx(ctx, "delete expired sessions"); err != nil {
		return 0, err
	}
	const del = "DELETE FROM gh_sessions WHERE expires_us <= $1"
	if s.d.name != postgres.name {
		res, err := s.db.ExecContext(ctx, s.q(del), toUS(now))
		if err != nil {
			return 0, fmt.Errorf("sqlstore: delete expired sessions: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("sqlstore: delete expired sessions: %w", err)
		}
		return int(n), nil
	}
	// The change feed's trigger publishes only the deleted sessions that
	// were still live by the store's clock (see migration 0007).
	var n int64
	err := s.inTx(ctx, "delete expired sessions", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT set_config('gatehouse.clock_us', $1, true)", strconv.FormatInt(s.clock(), 10)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, del, toUS(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

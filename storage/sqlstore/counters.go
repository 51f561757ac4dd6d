package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// counterStore keeps counters in gh_counters and slots in gh_slots. An
// increment is one INSERT … ON CONFLICT DO UPDATE … RETURNING statement
// that also restarts an expired counter, so concurrent increments never
// lose an update. A slot change runs in a transaction that first
// serialises the key: on PostgreSQL with a transaction-scoped advisory
// lock on the key's hash, on SQLite through its single connection.
type counterStore struct{ s *Store }

func (cs *counterStore) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	s := cs.s
	if err := checkCtx(ctx, "increment"); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, fmt.Errorf("sqlstore: increment %q: ttl %v: %w", key, ttl, storage.ErrInvalid)
	}
	now := s.clock()
	var v int64
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO gh_counters (key, value, expires_us) VALUES ($1, $2, $4)
		ON CONFLICT (key) DO UPDATE SET
			value = CASE WHEN gh_counters.expires_us <= $3 THEN excluded.value ELSE gh_counters.value + excluded.value END,
			expires_us = CASE WHEN gh_counters.expires_us <= $3 THEN excluded.expires_us ELSE gh_counters.expires_us END
		RETURNING value`), key, delta, now, now+ttl.Microseconds()).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("sqlstore: increment %q: %w", key, err)
	}
	return v, nil
}

func (cs *counterStore) Counter(ctx context.Context, key string) (int64, time.Time, error) {
	s := cs.s
	if err := checkCtx(ctx, "counter"); err != nil {
		return 0, time.Time{}, err
	}
	var v, exp int64
	err := s.db.QueryRowContext(ctx, s.q("SELECT value, expires_us FROM gh_counters WHERE key = $1 AND expires_us > $2"),
		key, s.clock()).Scan(&v, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, fmt.Errorf("sqlstore: counter %q: %w", key, storage.ErrNotFound)
	}
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlstore: counter %q: %w", key, err)
	}
	return v, fromUS(exp), nil
}

func (cs *counterStore) ResetCounter(ctx context.Context, key string) error {
	s := cs.s
	if err := checkCtx(ctx, "reset counter"); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM gh_counters WHERE key = $1"), key); err != nil {
		return fmt.Errorf("sqlstore: reset counter %q: %w", key, err)
	}
	return nil
}

func (cs *counterStore) AcquireSlot(ctx context.Context, key, holder string, limit int, ttl time.Duration) (bool, error) {
	s := cs.s
	if err := checkCtx(ctx, "acquire slot"); err != nil {
		return false, err
	}
	if limit <= 0 || ttl <= 0 {
		return false, fmt.Errorf("sqlstore: acquire slot %q: limit %d, ttl %v: %w", key, limit, ttl, storage.ErrInvalid)
	}
	now := s.clock()
	granted := false
	err := s.inTx(ctx, "acquire slot", func(tx *sql.Tx) error {
		if s.d.lockKey != "" {
			if _, err := tx.ExecContext(ctx, s.d.lockKey, key); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM gh_slots WHERE key = $1 AND expires_us <= $2"), key, now); err != nil {
			return err
		}
		var held, mine int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN holder = $2 THEN 1 ELSE 0 END), 0)
			FROM gh_slots WHERE key = $1`), key, holder).Scan(&held, &mine); err != nil {
			return err
		}
		if mine == 0 && held >= limit {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO gh_slots (key, holder, expires_us) VALUES ($1, $2, $3)
			ON CONFLICT (key, holder) DO UPDATE SET expires_us = excluded.expires_us`), key, holder, now+ttl.Microseconds()); err != nil {
			return err
		}
		granted = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("%w (key %q)", err, key)
	}
	return granted, nil
}

func (cs *counterStore) ReleaseSlot(ctx context.Context, key, holder string) error {
	s := cs.s
	if err := checkCtx(ctx, "release slot"); err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM gh_slots WHERE key = $1 AND holder = $2"), key, holder); err != nil {
		return fmt.Errorf("sqlstore: release slot %q: %w", key, err)
	}
	return nil
}

func (cs *counterStore) Slots(ctx context.Context, key string) (int, error) {
	s := cs.s
	if err := checkCtx(ctx, "slots"); err != nil {
		return 0, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM gh_slots WHERE key = $1 AND expires_us > $2"),
		key, s.clock()).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlstore: slots %q: %w", key, err)
	}
	return n, nil
}

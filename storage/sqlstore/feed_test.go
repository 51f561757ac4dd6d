package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// feedLog is a storage.ChangeHandler that keeps what it is told.
type feedLog struct {
	mu         sync.Mutex
	changes    []storage.Change
	subscribed int
	lost       int
}

func (l *feedLog) Changed(c storage.Change) {
	l.mu.Lock()
	l.changes = append(l.changes, c)
	l.mu.Unlock()
}
func (l *feedLog) Subscribed() { l.mu.Lock(); l.subscribed++; l.mu.Unlock() }
func (l *feedLog) Lost(error)  { l.mu.Lock(); l.lost++; l.mu.Unlock() }

func (l *feedLog) has(c storage.Change) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, got := range l.changes {
		if got == c {
			return true
		}
	}
	return false
}

// watchPostgres opens a store on a fresh schema and watches its feed.
func watchPostgres(t *testing.T) (*sqlstore.Store, string, *feedLog) {
	t.Helper()
	dsn := freshSchema(t, postgresDSN(t))
	s := open(t, dsn, sqlstore.Config{})
	l := &feedLog{}
	stop, err := s.WatchChanges(l)
	require.NoError(t, err)
	t.Cleanup(stop)
	require.Eventually(t, func() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.subscribed > 0 },
		10*time.Second, 5*time.Millisecond, "the feed never listened")
	return s, dsn, l
}

// Writes by hand, which no gatehouse call makes, are published too.
func TestFeedPublishesWritesByHand(t *testing.T) {
	ctx := context.Background()
	s, _, l := watchPostgres(t)
	u, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme"})
	require.NoError(t, err)
	now := time.Now()
	hash := strings.Repeat("a", 64)
	require.NoError(t, s.Sessions().CreateSession(ctx, storage.Session{
		IDHash: hash, UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour),
	}))
	session := storage.Change{Kind: storage.ChangeSession, Key: hash}
	all := storage.Change{Kind: storage.ChangeAll}

	_, err = s.DB().ExecContext(ctx, "UPDATE gh_sessions SET last_seen_us = last_seen_us + 1")
	require.NoError(t, err)
	_, err = s.DB().ExecContext(ctx, "UPDATE gh_sessions SET epoch = 99")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return l.has(session) }, 5*time.Second, time.Millisecond,
		"an epoch changed by hand was not published")

	_, err = s.DB().ExecContext(ctx, "TRUNCATE gh_sessions")
	require.NoError(t, err)
	require.Eventually(t, func() bool { return l.has(all) }, 5*time.Second, time.Millisecond,
		"a TRUNCATE was not published")
}

// pg_notify refuses payloads of 8000 bytes: a user with a longer id can
// still be blocked and deleted, published as "anything may have changed".
func TestFeedLongUserID(t *testing.T) {
	ctx := context.Background()
	s, _, l := watchPostgres(t)
	id := strings.Repeat("x", 8000)
	u, err := s.Users().CreateUser(ctx, user.User{ID: id, Username: "long", Company: "acme"})
	require.NoError(t, err)
	u.Blocked = true
	_, err = s.Users().UpdateUser(ctx, u)
	require.NoError(t, err, "a block of a user with a long id")
	require.NoError(t, s.Users().DeleteUser(ctx, id), "a delete of a user with a long id")
	require.Eventually(t, func() bool { return l.has(storage.Change{Kind: storage.ChangeAll}) }, 5*time.Second, time.Millisecond)
}

// Two schemas of one database have channels of their own.
func TestFeedChannelPerSchema(t *testing.T) {
	ctx := context.Background()
	_, _, here := watchPostgres(t)
	other := open(t, freshSchema(t, postgresDSN(t)), sqlstore.Config{})
	require.NoError(t, other.Parameters().PutParameter(ctx, storage.Parameter{Code: "p", Title: "P", Value: "1"}))
	time.Sleep(300 * time.Millisecond) // a message would have arrived by now
	assert.False(t, here.has(storage.Change{Kind: storage.ChangeParameters}), "a feed heard another schema's change")
}

func TestFeedOnSQLiteIsUnsupported(t *testing.T) {
	s := open(t, sqliteDSN(t), sqlstore.Config{})
	_, err := s.WatchChanges(&feedLog{})
	assert.True(t, errors.Is(err, errors.ErrUnsupported), "%v", err)
}

// A schema-qualified write from a session whose search_path lacks the
// schema (a person at psql) is published, not refused by the trigger.
func TestFeedPublishesSchemaQualifiedWrites(t *testing.T) {
	ctx := context.Background()
	s, _, l := watchPostgres(t)
	schema, ok := schemas.Load(t)
	require.True(t, ok)
	_, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme"})
	require.NoError(t, err)
	now := time.Now()
	hash := strings.Repeat("b", 64)
	require.NoError(t, s.Sessions().CreateSession(ctx, storage.Session{
		IDHash: hash, UserID: "u1", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour),
	}))
	other, err := sql.Open("pgx", postgresDSN(t)) // default search_path
	require.NoError(t, err)
	defer other.Close()
	_, err = other.ExecContext(ctx, `UPDATE "`+schema.(string)+`".gh_sessions SET revoked = true WHERE id_hash = $1`, hash)
	require.NoError(t, err, "a schema-qualified revoke by hand")
	require.Eventually(t, func() bool { return l.has(storage.Change{Kind: storage.ChangeSession, Key: hash}) },
		5*time.Second, time.Millisecond)
}

// Roles and parameters written by hand move their versions, so that
// nothing compiled or kept under the old version outlives them.
func TestHandWrittenRolesAndParametersMoveTheVersions(t *testing.T) {
	ctx := context.Background()
	s := open(t, freshSchema(t, postgresDSN(t)), sqlstore.Config{})
	_, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme"})
	require.NoError(t, err)
	before, err := s.ReadUserAuth(ctx, "u1")
	require.NoError(t, err)
	_, err = s.DB().ExecContext(ctx, `INSERT INTO gh_roles (code, body) VALUES ('by_hand', '{"code":"by_hand"}')`)
	require.NoError(t, err)
	_, err = s.DB().ExecContext(ctx, `INSERT INTO gh_parameters (code, title, value) VALUES ('by_hand', 'T', 'v')`)
	require.NoError(t, err)
	after, err := s.ReadUserAuth(ctx, "u1")
	require.NoError(t, err)
	assert.Greater(t, after.Versions.Policy, before.Versions.Policy, "a role inserted by hand left the policy version")
	assert.Greater(t, after.Versions.Parameters, before.Versions.Parameters, "a parameter inserted by hand left its version")
}

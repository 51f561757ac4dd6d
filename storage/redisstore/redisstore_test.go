package redisstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
)

// newStore returns a store on a key prefix of its own, reading the time
// from now (the real clock if now is nil).
func newStore(t *testing.T, now func() time.Time) *redisstore.Store {
	c, prefix := newClient(t)
	s := redisstore.New(c, redisstore.Config{Prefix: prefix, Now: now})
	t.Cleanup(func() { s.Close() })
	return s
}

// A Redis store keeps sessions and counters: it runs the checks of those
// concerns, and of Ping and Close, on the real clock and on the suite's.
func TestConformance(t *testing.T) {
	redisURL(t)
	storagetest.RunBackend(t, func(t *testing.T) storage.Backend { return newStore(t, nil) })
	storagetest.RunSessions(t, func(t *testing.T) storage.SessionStore { return newStore(t, nil).Sessions() })
	storagetest.RunCounters(t, func(t *testing.T) storage.CounterStore { return newStore(t, nil).Counters() })
}

func TestConformanceClocked(t *testing.T) {
	redisURL(t)
	storagetest.RunSessions(t, func(t *testing.T, now func() time.Time) storage.SessionStore { return newStore(t, now).Sessions() })
	storagetest.RunCounters(t, func(t *testing.T, now func() time.Time) storage.CounterStore { return newStore(t, now).Counters() })
}

// A session's key lives exactly as long as the session.
func TestSessionKeyExpiresWithSession(t *testing.T) {
	c, prefix := newClient(t)
	s := redisstore.New(c, redisstore.Config{Prefix: prefix})
	ctx := t.Context()
	exp := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	x := storage.Session{IDHash: "ab", UserID: "u1", CreatedAt: time.Now(), ExpiresAt: exp}
	require.NoError(t, s.Sessions().CreateSession(ctx, x))
	at, err := c.PExpireTime(ctx, prefix+"s:ab").Result()
	require.NoError(t, err)
	require.Equal(t, exp.UnixMilli(), at.Milliseconds(), "PEXPIREAT of the session key")

	_, err = s.Counters().Increment(ctx, "k", 1, time.Minute)
	require.NoError(t, err)
	ttl, err := c.PTTL(ctx, prefix+"c:k").Result()
	require.NoError(t, err)
	require.InDelta(t, time.Minute.Seconds(), ttl.Seconds(), 2, "counter TTL")
}

// Two stores with different prefixes on one Redis share nothing.
func TestPrefixesKeepDeploymentsApart(t *testing.T) {
	c, prefix := newClient(t)
	a := redisstore.New(c, redisstore.Config{Prefix: prefix + "a:"})
	b := redisstore.New(c, redisstore.Config{Prefix: prefix + "b:"})
	ctx := t.Context()
	_, err := a.Counters().Increment(ctx, "k", 5, time.Minute)
	require.NoError(t, err)
	_, _, err = b.Counters().Counter(ctx, "k")
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, a.Sessions().CreateSession(ctx, storage.Session{IDHash: "h", UserID: "u", ExpiresAt: time.Now().Add(time.Hour)}))
	_, err = b.Sessions().GetSession(ctx, "h")
	require.ErrorIs(t, err, storage.ErrNotFound)
}

// Two instances on one Redis see each other's revocations and counters at
// once.
func TestInstancesShareState(t *testing.T) {
	c, prefix := newClient(t)
	a := redisstore.New(c, redisstore.Config{Prefix: prefix})
	b := redisstore.New(c, redisstore.Config{Prefix: prefix})
	ctx := t.Context()
	require.NoError(t, a.Sessions().CreateSession(ctx, storage.Session{IDHash: "h", UserID: "u", ExpiresAt: time.Now().Add(time.Hour)}))
	require.NoError(t, b.Sessions().RevokeSession(ctx, "h"))
	x, err := a.Sessions().GetSession(ctx, "h")
	require.NoError(t, err)
	require.True(t, x.Revoked, "a revoke on b is not seen on a")
	_, err = a.Counters().Increment(ctx, "login:alice", 1, time.Minute)
	require.NoError(t, err)
	n, err := b.Counters().Increment(ctx, "login:alice", 1, time.Minute)
	require.NoError(t, err)
	require.Equal(t, int64(2), n)
}

func TestPingFailsAfterClose(t *testing.T) {
	c, prefix := newClient(t)
	s := redisstore.New(c, redisstore.Config{Prefix: prefix})
	require.NoError(t, s.Ping(t.Context()))
	require.NoError(t, s.Close())
	require.Error(t, s.Ping(t.Context()))
}

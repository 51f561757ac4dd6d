package sqlstore_test

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/token"
)

// The tests of this file run the two instances of instances_test.go in the
// cached mode (gatehouse.Config.Cache): B answers from memory, and learns
// of A's writes through the store's change feed, so B refuses "within the
// feed's delivery", not "on the very next request". feedBound is how long
// a test waits for that; bench/ measures the real lag under load.
const feedBound = 2 * time.Second

// forEachCachedDeployment is forEachDeployment with both instances cached.
func forEachCachedDeployment(t *testing.T, fn func(t *testing.T, deployment string, c cluster)) {
	for name, stores := range deployments() {
		t.Run(name, func(t *testing.T) {
			sa, sb := stores(t)
			key, err := token.GenerateEd25519("")
			require.NoError(t, err)
			keys, err := token.NewKeySet(key)
			require.NoError(t, err)
			c := cluster{
				a: newCachedInstance(t, "node-a", sa, keys, session.Limit{}, &cachestore.Config{}),
				b: newCachedInstance(t, "node-b", sb, keys, session.Limit{}, &cachestore.Config{}),
			}
			for _, in := range []*instance{c.a, c.b} {
				require.Eventually(t, func() bool { return in.g.Cache().Stats().Listening }, 10*time.Second, 5*time.Millisecond,
					"%s's feed never listened", in.name)
			}
			fn(t, name, c)
		})
	}
}

// warm makes in keep tok's session: requests until one is a hit. (The
// messages of the login's own writes, still arriving, may drop what the
// first request kept.)
func warm(t *testing.T, in *instance, tok string) {
	t.Helper()
	require.Eventually(t, func() bool {
		hits := in.g.Cache().Stats().Hits
		require.Equal(t, http.StatusOK, in.status(t, tok))
		return in.g.Cache().Stats().Hits > hits
	}, feedBound, time.Millisecond, "%s did not answer from memory: the test would not test the cache", in.name)
}

// refusedWithin polls in with tok until it answers want, and returns how
// long that took; it fails the test after feedBound.
func refusedWithin(t *testing.T, in *instance, tok string, want int) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		if in.status(t, tok) == want {
			return time.Since(start)
		}
		if time.Since(start) > feedBound {
			t.Fatalf("%s still does not answer %d %s after the change", in.name, want, feedBound)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestCachedInstancesSeeEveryChange(t *testing.T) {
	ctx := context.Background()
	forEachCachedDeployment(t, func(t *testing.T, _ string, c cluster) {
		require.NoError(t, c.a.store.Roles().PutRole(ctx, permissions.Role{
			Code: "viewer", Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}},
		}))
		c.addUser(t, "alice", "viewer")

		t.Run("logout", func(t *testing.T) {
			tok := c.a.token(t, "alice", "password1")
			other := c.a.token(t, "alice", "password1")
			warm(t, c.b, tok)
			warm(t, c.b, other)
			require.Equal(t, http.StatusNoContent, c.a.do(t, http.MethodPost, "/logout", tok, "").Code)
			assert.Equal(t, http.StatusUnauthorized, c.a.status(t, tok), "A serves its own logged-out session")
			t.Logf("B refused after %s", refusedWithin(t, c.b, tok, http.StatusUnauthorized))
			assert.Equal(t, http.StatusOK, c.b.status(t, other), "a logout ended another session on B")
		})
		t.Run("role change", func(t *testing.T) {
			tok := c.a.token(t, "alice", "password1")
			customers := func() int { return c.b.do(t, http.MethodGet, "/host/customers", tok, "").Code }
			warm(t, c.b, tok)
			require.Equal(t, http.StatusOK, customers())
			require.NoError(t, c.a.store.Roles().PutRole(ctx, permissions.Role{
				Code: "viewer", Entities: map[string][]permissions.Op{"Customer": {}},
			}))
			require.Eventually(t, func() bool { return customers() == http.StatusForbidden }, feedBound, time.Millisecond,
				"B kept the grant")
			require.NoError(t, c.a.store.Roles().PutRole(ctx, permissions.Role{
				Code: "viewer", Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}},
			}))
			require.Eventually(t, func() bool { return customers() == http.StatusOK }, feedBound, time.Millisecond,
				"B kept the denial")
		})
		t.Run("password change", func(t *testing.T) {
			tok := c.a.token(t, "alice", "password1")
			warm(t, c.b, tok)
			rec := c.a.do(t, http.MethodPost, "/password", tok, `{"current_password":"password1","new_password":"password-2"}`)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			t.Logf("B refused after %s", refusedWithin(t, c.b, tok, http.StatusUnauthorized))
			rec = c.a.do(t, http.MethodPost, "/password", c.a.token(t, "alice", "password-2"),
				`{"current_password":"password-2","new_password":"password1"}`)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		})
		t.Run("parameter change", func(t *testing.T) {
			tok := c.a.token(t, "alice", "password1")
			warm(t, c.b, tok)
			session := func() string { return c.b.do(t, http.MethodGet, "/session", tok, "").Body.String() }
			require.NotContains(t, session(), "cached-mode-value")
			require.NoError(t, c.a.store.Parameters().PutParameter(ctx, storage.Parameter{
				Code: "cached_mode_param", Title: "A parameter", Value: "cached-mode-value",
			}))
			require.Eventually(t, func() bool { return strings.Contains(session(), "cached-mode-value") }, feedBound, time.Millisecond,
				"B's session document kept the parameters from before the change")
		})
		t.Run("block", func(t *testing.T) {
			tok := c.a.token(t, "alice", "password1")
			warm(t, c.b, tok)
			u, err := c.a.store.Users().GetUser(ctx, "id-alice")
			require.NoError(t, err)
			u.Blocked = true
			_, err = c.a.store.Users().UpdateUser(ctx, u)
			require.NoError(t, err)
			t.Logf("B refused after %s", refusedWithin(t, c.b, tok, http.StatusUnauthorized))
		})
		t.Run("delete user", func(t *testing.T) {
			c.addUser(t, "bob")
			tok := c.a.token(t, "bob", "password1")
			warm(t, c.b, tok)
			require.NoError(t, c.a.store.Users().DeleteUser(ctx, "id-bob"))
			t.Logf("B refused after %s", refusedWithin(t, c.b, tok, http.StatusUnauthorized))
		})
	})
}

// terminateFeeds ends the change feed connections of t's schema, as an
// operator's pg_terminate_backend or a failover would, and returns how
// many it ended. (Feeds of other schemas, other tests', are left alone.)
func terminateFeeds(t *testing.T) int {
	t.Helper()
	schema, ok := schemas.Load(t)
	require.True(t, ok, "no fresh schema for %s", t.Name())
	db, err := sql.Open("pgx", postgresDSN(t))
	require.NoError(t, err)
	defer db.Close()
	sum := md5.Sum([]byte(schema.(string)))
	channel := "gh_changes_" + hex.EncodeToString(sum[:])[:16] // gh_feed_channel of migration 0007
	var n int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE application_name = $1) t`, sqlstore.FeedApplicationName+channel).Scan(&n))
	return n
}

// killRedisFeeds ends every pub/sub connection of the Redis server.
func killRedisFeeds(t *testing.T) {
	t.Helper()
	c, _ := redisClient(t)
	defer c.Close()
	require.NoError(t, c.Do(context.Background(), "CLIENT", "KILL", "TYPE", "pubsub").Err())
}

func TestCachedInstancesFeedLoss(t *testing.T) {
	ctx := context.Background()
	for _, kill := range []string{"postgres", "redis"} {
		t.Run("kill "+kill+" feed", func(t *testing.T) {
			forEachCachedDeployment(t, func(t *testing.T, deployment string, c cluster) {
				if kill == "redis" && !strings.Contains(deployment, "redis") {
					return // this deployment has no Redis feed to lose
				}
				c.addUser(t, "alice")
				tok := c.a.token(t, "alice", "password1")
				warm(t, c.b, tok)
				losses := c.b.g.Cache().Stats().Losses
				if kill == "postgres" {
					require.Positive(t, terminateFeeds(t), "no feed connection found to end")
				} else {
					killRedisFeeds(t)
				}
				require.Eventually(t, func() bool { return c.b.g.Cache().Stats().Losses > losses }, 5*time.Second, time.Millisecond,
					"B did not notice its feed was lost")

				// While B's feed is down (it reconnects after a 50 ms
				// backoff and a heartbeat), a revoke whose message B never
				// gets: B must read it from the store, not from memory.
				s, err := c.b.store.Sessions().ListSessions(ctx, "id-alice")
				require.NoError(t, err)
				require.Len(t, s, 1)
				before := c.b.g.Cache().Stats()
				require.NoError(t, c.a.store.Sessions().RevokeSession(ctx, s[0].IDHash))
				assert.Equal(t, http.StatusUnauthorized, c.b.status(t, tok), "a stale accept after the feed was lost")
				after := c.b.g.Cache().Stats()
				if !before.Listening && !after.Listening {
					// The whole exchange happened while B's feed was down:
					// B answered from the store.
					assert.Equal(t, before.Hits, after.Hits, "B answered from memory while its feed was lost")
					assert.Zero(t, after.Sessions, "B kept a session while its feed was lost")
				} else {
					t.Logf("B's feed came back during the exchange (listening %v → %v)", before.Listening, after.Listening)
				}

				// And the feed comes back by itself: B answers from memory again.
				require.Eventually(t, func() bool { return c.b.g.Cache().Stats().Listening }, 10*time.Second, 5*time.Millisecond,
					"B's feed did not come back")
				fresh := c.a.token(t, "alice", "password1")
				require.Eventually(t, func() bool {
					hits := c.b.g.Cache().Stats().Hits
					c.b.status(t, fresh)
					return c.b.status(t, fresh) == http.StatusOK && c.b.g.Cache().Stats().Hits > hits
				}, 10*time.Second, 10*time.Millisecond, "B does not answer from memory after the feed came back")
			})
		})
	}
}

// A revokes while B serves the session from four goroutines: no accept
// on B may begin later than feedBound/2 after the revoke returned on A
// (the lag is logged; bench/ measures it under load), and B refuses at
// the end.
func TestCachedInstancesRevokeWhileServing(t *testing.T) {
	ctx := context.Background()
	forEachCachedDeployment(t, func(t *testing.T, _ string, c cluster) {
		c.addUser(t, "alice")
		tok := c.a.token(t, "alice", "password1")
		warm(t, c.b, tok)
		s, err := c.b.store.Sessions().ListSessions(ctx, "id-alice")
		require.NoError(t, err)
		require.Len(t, s, 1)

		var revokedAt atomic.Int64 // unix ns when RevokeSession returned; 0 before
		var lastAccept atomic.Int64
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					start := time.Now().UnixNano()
					if c.b.status(t, tok) == http.StatusOK {
						if r := revokedAt.Load(); r != 0 && start > r {
							for {
								old := lastAccept.Load()
								if start <= old || lastAccept.CompareAndSwap(old, start) {
									break
								}
							}
						}
					}
				}
			})
		}
		time.Sleep(50 * time.Millisecond)
		require.NoError(t, c.a.store.Sessions().RevokeSession(ctx, s[0].IDHash))
		revokedAt.Store(time.Now().UnixNano())
		time.Sleep(feedBound)
		close(stop)
		wg.Wait()
		lag := time.Duration(0)
		if l := lastAccept.Load(); l != 0 {
			lag = time.Duration(l - revokedAt.Load())
		}
		t.Logf("the last accept on B began %s after the revoke returned on A", lag)
		assert.Less(t, lag, feedBound/2, "B accepted a revoked session for too long")
		assert.Equal(t, http.StatusUnauthorized, c.b.status(t, tok))
	})
}

package sqlstore_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
)

// redisClient returns a client of GATEHOUSE_TEST_REDIS and a key prefix of
// its own (its keys are deleted when t ends), skipping the test when the
// variable is unset, or failing it under GATEHOUSE_REQUIRE_INTEGRATION=1.
func redisClient(t *testing.T) (*redis.Client, string) {
	t.Helper()
	u := os.Getenv("GATEHOUSE_TEST_REDIS")
	if u == "" {
		if os.Getenv("GATEHOUSE_REQUIRE_INTEGRATION") == "1" {
			t.Fatal("GATEHOUSE_TEST_REDIS is not set, and GATEHOUSE_REQUIRE_INTEGRATION=1 forbids skipping")
		}
		t.Skip("set GATEHOUSE_TEST_REDIS=redis://127.0.0.1:6379/0 to run the Redis tests")
	}
	opts, err := redis.ParseURL(u)
	require.NoError(t, err)
	prefix := "ghtest:" + randHex(t) + ":"
	t.Cleanup(func() {
		// Not t.Context(): it is canceled before cleanups run.
		ctx := context.Background()
		c := redis.NewClient(opts)
		defer c.Close()
		keys, _ := c.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return redis.NewClient(opts), prefix
}

// The deployment the issue describes: users, roles, parameters and audit in
// SQL, sessions and counters in Redis.
func TestConformanceComposedWithRedis(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			fresh(t)
			redisClient(t)
			storagetest.RunClocked(t, func(t *testing.T, now func() time.Time) storage.Store {
				db := open(t, fresh(t), sqlstore.Config{Now: now})
				c, prefix := redisClient(t)
				hot := redisstore.New(c, redisstore.Config{Prefix: prefix, Now: now})
				s := storage.Compose(db, storage.Parts{
					Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
				})
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

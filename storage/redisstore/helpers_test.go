package redisstore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// redisURL returns GATEHOUSE_TEST_REDIS, skipping the test when it is
// unset, or failing it under GATEHOUSE_REQUIRE_INTEGRATION=1 (CI).
func redisURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("GATEHOUSE_TEST_REDIS")
	if u == "" {
		if os.Getenv("GATEHOUSE_REQUIRE_INTEGRATION") == "1" {
			t.Fatal("GATEHOUSE_TEST_REDIS is not set, and GATEHOUSE_REQUIRE_INTEGRATION=1 forbids skipping")
		}
		t.Skip("set GATEHOUSE_TEST_REDIS=redis://127.0.0.1:6379/0 to run the Redis tests")
	}
	return u
}

// newClient returns a client of the test server and a key prefix no other
// test uses; every key under the prefix is deleted when t ends.
func newClient(t *testing.T) (*redis.Client, string) {
	t.Helper()
	opts, err := redis.ParseURL(redisURL(t))
	require.NoError(t, err)
	c := redis.NewClient(opts)
	b := make([]byte, 8)
	_, err = rand.Read(b)
	require.NoError(t, err)
	prefix := "ghtest:" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		// A fresh client: the store under test may have closed c.
		cleanup := redis.NewClient(opts)
		defer cleanup.Close()
		ctx := context.Background()
		iter := cleanup.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if len(keys) > 0 {
			cleanup.Del(ctx, keys...)
		}
		c.Close()
	})
	return c, prefix
}

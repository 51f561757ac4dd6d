// Package storeflag opens the store that the examples' -store and -redis
// flags name, so that examples/server and examples/webapp read them alike.
package storeflag

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
)

// StoreUsage and RedisUsage are the flags' help texts.
const (
	StoreUsage = "where users, roles and sessions live: memory, sqlite:PATH or postgres://…"
	RedisUsage = "redis://… URL: keep sessions and counters in Redis (optional)"
)

// Open builds the store the flags name: storeFlag is memory (or empty),
// sqlite:PATH or a postgres:// URL; with redisFlag set, sessions and
// counters move to Redis. Errors name the flag. The caller closes the
// store.
func Open(ctx context.Context, storeFlag, redisFlag string, log *slog.Logger) (storage.Store, error) {
	var base storage.Store
	switch {
	case storeFlag == "" || storeFlag == "memory":
		base = memstore.New(memstore.Config{})
	case strings.HasPrefix(storeFlag, "sqlite:"), strings.HasPrefix(storeFlag, "postgres://"), strings.HasPrefix(storeFlag, "postgresql://"):
		s, err := sqlstore.Open(ctx, storeFlag, sqlstore.Config{Logger: log})
		if err != nil {
			return nil, fmt.Errorf("-store: %w", err)
		}
		base = s
	default:
		return nil, fmt.Errorf("-store %q: want memory, sqlite:PATH or postgres://…", storeFlag)
	}
	if redisFlag == "" {
		return base, nil
	}
	opts, err := redis.ParseURL(redisFlag)
	if err != nil {
		base.Close()
		return nil, fmt.Errorf("-redis: %w", err)
	}
	hot := redisstore.New(redis.NewClient(opts), redisstore.Config{})
	if err := hot.Ping(ctx); err != nil {
		base.Close()
		hot.Close()
		return nil, fmt.Errorf("-redis: %w", err)
	}
	return storage.Compose(base, storage.Parts{
		Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
	}), nil
}

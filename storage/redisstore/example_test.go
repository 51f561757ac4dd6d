package redisstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
)

// Sessions and counters in Redis, everything else in another store (here
// memstore; in production sqlstore). Not run: it needs a Redis server.
func ExampleNew() {
	ctx := context.Background()
	opts, err := redis.ParseURL("redis://127.0.0.1:6379/0")
	if err != nil {
		panic(err)
	}
	hot := redisstore.New(redis.NewClient(opts), redisstore.Config{Prefix: "myapp:"})
	store := storage.Compose(memstore.New(memstore.Config{}), storage.Parts{
		Sessions: hot.Sessions(),
		Counters: hot.Counters(),
		Backends: []storage.Backend{hot},
	})
	defer store.Close()

	n, err := store.Counters().Increment(ctx, "login:alice", 1, 15*time.Minute)
	fmt.Println(n, err)
}

package cachestore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// A cache in front of a store with a change feed: the second read of a
// session is answered from memory, and a revoke made behind the cache's
// back (another process, here the store itself) is seen at once. Hosts
// usually set gatehouse.Config's Cache instead.
func ExampleNew() {
	ctx := context.Background()
	base := memstore.New(memstore.Config{})
	_, _ = base.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme"})
	now := time.Now()
	_ = base.Sessions().CreateSession(ctx, storage.Session{
		IDHash: "h1", UserID: "u1", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour),
	})

	c, err := cachestore.New(base, cachestore.Config{})
	if err != nil {
		fmt.Println(err) // a store without a feed: cachestore.ErrNoFeed
		return
	}
	defer c.Close()

	_, _ = c.ReadAuth(ctx, "h1")
	a, _ := c.ReadAuth(ctx, "h1")
	fmt.Println(a.User.Username, c.Stats().Hits)

	_ = base.Sessions().RevokeSession(ctx, "h1")
	a, _ = c.ReadAuth(ctx, "h1")
	fmt.Println("revoked:", a.Session.Revoked)
	// Output:
	// alice 1
	// revoked: true
}

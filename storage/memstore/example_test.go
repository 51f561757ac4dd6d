package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

func ExampleNew() {
	s := memstore.New(memstore.Config{})
	defer s.Close()
	ctx := context.Background()

	u, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme"})
	fmt.Println(u.Username, u.Version, err)

	_, err = s.Users().CreateUser(ctx, user.User{ID: "u2", Username: "alice", Company: "acme"})
	fmt.Println(errors.Is(err, storage.ErrConflict))

	_, err = s.Users().GetUser(ctx, "u3")
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	// Output:
	// alice 1 <nil>
	// true
	// true
}

// A store on an injected clock: counters expire when the clock says so.
func ExampleConfig_now() {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := memstore.New(memstore.Config{Now: func() time.Time { return now }})
	ctx := context.Background()

	n, _ := s.Counters().Increment(ctx, "login:alice", 1, time.Minute)
	n, _ = s.Counters().Increment(ctx, "login:alice", 1, time.Minute)
	fmt.Println(n)

	now = now.Add(time.Minute)
	_, _, err := s.Counters().Counter(ctx, "login:alice")
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	// Output:
	// 2
	// true
}

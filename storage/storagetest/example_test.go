package storagetest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
	"github.com/gatehouse-go/gatehouse/user"
)

// lastWriterWins is a memstore whose user updates ignore the version they
// carry, so that the last writer silently wins.
type lastWriterWins struct{ *memstore.Store }

func (s lastWriterWins) Users() storage.UserStore { return versionIgnored{s.Store.Users()} }

type versionIgnored struct{ storage.UserStore }

func (v versionIgnored) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	if cur, err := v.GetUser(ctx, u.ID); err == nil {
		u.Version = cur.Version
	}
	return v.UserStore.UpdateUser(ctx, u)
}

// CheckClocked tells which checks a store fails.
func ExampleCheckClocked() {
	err := storagetest.CheckClocked(func(now func() time.Time) storage.Store {
		return lastWriterWins{memstore.New(memstore.Config{Now: now})}
	})
	if err != nil {
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var ce *storagetest.CheckError
			if errors.As(e, &ce) {
				fmt.Printf("%s: %s\n", ce.Concern, ce.Check)
			}
		}
	}
	// Output:
	// users: a store should reject an update with a stale version as ErrConflict and change nothing
}

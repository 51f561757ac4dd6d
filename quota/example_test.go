package quota_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
)

// A host charges points before running an operation and releases the
// concurrency slot when it ends.
func ExampleEnforcer_Acquire() {
	store := memstore.New(memstore.Config{})
	defer store.Close()
	enf, err := quota.New(store.Counters(), quota.Config{})
	if err != nil {
		panic(err)
	}
	// In a handler: quota.NewSubject(user, permissionSet).
	alice := quota.Subject{UserID: "u-alice", Location: time.UTC, Quotas: []permissions.Quota{{
		Service: "UNIVERSAL", MethodGroup: "PLAN",
		PointsPerRequest: 15, PointsPerDay: 20, MaxConcurrentExecution: 5,
	}}}
	ctx := context.Background()
	for _, points := range []int64{15, 16, 5, 1} {
		release, err := enf.Acquire(ctx, alice, "UNIVERSAL", "PLAN", points)
		var exceeded *quota.ExceededError
		switch {
		case errors.As(err, &exceeded):
			fmt.Printf("%d points refused: %s (retry after %v)\n", points, exceeded.Limit, exceeded.RetryAfter > 0)
			continue
		case err != nil: // the store failed: deny
			panic(err)
		}
		fmt.Printf("%d points charged\n", points)
		release() // in a handler: defer release()
	}
	// Output:
	// 15 points charged
	// 16 points refused: points_per_request (retry after false)
	// 5 points charged
	// 1 points refused: points_per_day (retry after true)
}

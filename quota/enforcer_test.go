package quota_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var utc3 = time.FixedZone("UTC+3", 3*3600)

// clock is the repository's one test clock, shared by the store and the
// enforcer.
type clock = gatehousetest.Clock

func setup(t *testing.T, start string) (*quota.Enforcer, storage.CounterStore, *clock) {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, start)
	require.NoError(t, err)
	c := gatehousetest.NewClock(tm)
	s := memstore.New(memstore.Config{Now: c.Now})
	t.Cleanup(func() { _ = s.Close() })
	e, err := quota.New(s.Counters(), quota.Config{Now: c.Now})
	require.NoError(t, err)
	return e, s.Counters(), c
}

func subject(q permissions.Quota) quota.Subject {
	q.Service, q.MethodGroup = "UNIVERSAL", "PLAN"
	return quota.Subject{UserID: "u1", Location: utc3, Quotas: []permissions.Quota{q}}
}

func acquire(e *quota.Enforcer, s quota.Subject, points int64) (quota.Release, error) {
	return e.Acquire(context.Background(), s, "UNIVERSAL", "PLAN", points)
}

func requireExceeded(t *testing.T, err error, limit string) *quota.ExceededError {
	t.Helper()
	require.ErrorIs(t, err, quota.ErrQuotaExceeded)
	var ee *quota.ExceededError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, limit, ee.Limit)
	assert.Contains(t, err.Error(), limit)
	return ee
}

func TestPointsPerRequest(t *testing.T) {
	e, _, _ := setup(t, "2024-02-21T10:00:00Z")
	s := subject(permissions.Quota{PointsPerRequest: 15})
	_, err := acquire(e, s, 15)
	require.NoError(t, err, "exactly the limit is allowed")
	_, err = acquire(e, s, 16)
	ee := requireExceeded(t, err, quota.LimitPointsPerRequest)
	assert.Zero(t, ee.RetryAfter, "retrying the same request cannot help")
	_, err = acquire(e, s, -1)
	assert.ErrorIs(t, err, quota.ErrInvalidPoints)
}

func TestPointsPerDayInTheUsersZone(t *testing.T) {
	// 20:00 UTC is 23:00 in UTC+3: the user's day ends in one hour.
	e, _, c := setup(t, "2024-02-21T20:00:00Z")
	s := subject(permissions.Quota{PointsPerDay: 100})
	for i := range 10 {
		_, err := acquire(e, s, 10)
		require.NoError(t, err, "call %d", i)
	}
	_, err := acquire(e, s, 1)
	ee := requireExceeded(t, err, quota.LimitPointsPerDay)
	assert.Equal(t, time.Hour, ee.RetryAfter)
	assert.Equal(t, int64(100), ee.Max)

	c.Set(c.Now().Add(59*time.Minute + 59*time.Second)) // 23:59:59 local
	_, err = acquire(e, s, 1)
	requireExceeded(t, err, quota.LimitPointsPerDay)
	c.Set(c.Now().Add(time.Second)) // 00:00 local, 21:00 UTC: a new day
	_, err = acquire(e, s, 100)
	require.NoError(t, err)
}

func TestPointsPerDateWindow(t *testing.T) {
	// Windows of 30 days start every 30 days from 1970-01-01: day 19740
	// (2024-01-18) starts one, so it runs to 2024-02-16 and the next starts
	// on 2024-02-17.
	e, _, c := setup(t, "2024-02-15T12:00:00Z")
	s := subject(permissions.Quota{PointsPerDateWindow: 50})
	s.Location = time.UTC
	_, err := acquire(e, s, 50)
	require.NoError(t, err)
	c.Set(c.Now().Add(24 * time.Hour)) // 2024-02-16: same window
	_, err = acquire(e, s, 1)
	ee := requireExceeded(t, err, quota.LimitPointsPerDateWindow)
	assert.Equal(t, 12*time.Hour, ee.RetryAfter)
	c.Set(c.Now().Add(12 * time.Hour)) // 2024-02-17T00:00Z: a new window
	_, err = acquire(e, s, 50)
	require.NoError(t, err)
}

func TestMaxConcurrentExecution(t *testing.T) {
	e, counters, _ := setup(t, "2024-02-21T10:00:00Z")
	s := subject(permissions.Quota{MaxConcurrentExecution: 2})
	r1, err := acquire(e, s, 1)
	require.NoError(t, err)
	r2, err := acquire(e, s, 1)
	require.NoError(t, err)
	_, err = acquire(e, s, 1)
	ee := requireExceeded(t, err, quota.LimitMaxConcurrentExecution)
	assert.Equal(t, time.Second, ee.RetryAfter)
	r1()
	r1() // a second release frees nothing more
	r3, err := acquire(e, s, 1)
	require.NoError(t, err)
	_, err = acquire(e, s, 1)
	requireExceeded(t, err, quota.LimitMaxConcurrentExecution)
	r2()
	r3()
	n, err := counters.Slots(context.Background(), slotKey)
	require.NoError(t, err)
	assert.Zero(t, n)
}

// slotKey is the enforcer's slot key for u1, UNIVERSAL and PLAN. Keys are
// not API; the tests read them to check what the store holds.
const slotKey = "quota:slot:u1:UNIVERSAL:PLAN:"

func TestRollbackOnPartialFailure(t *testing.T) {
	e, counters, _ := setup(t, "2024-02-21T10:00:00Z")
	s := subject(permissions.Quota{PointsPerDay: 100, PointsPerDateWindow: 50, MaxConcurrentExecution: 3})
	r, err := acquire(e, s, 40)
	require.NoError(t, err)
	_, err = acquire(e, s, 20) // day: 60 ≤ 100, window: 60 > 50
	requireExceeded(t, err, quota.LimitPointsPerDateWindow)
	day, _, err := counters.Counter(context.Background(), "quota:day:u1:UNIVERSAL:PLAN:2024-02-21")
	require.NoError(t, err)
	assert.Equal(t, int64(40), day, "the day's charge is rolled back")
	n, err := counters.Slots(context.Background(), slotKey)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the refused request's slot is released")
	_, err = acquire(e, s, 10) // still fits both
	require.NoError(t, err)
	r()
}

// brokenCounters fails every Increment whose key contains fail.
type brokenCounters struct {
	storage.CounterStore
	fail string
}

func (b *brokenCounters) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	if strings.Contains(key, b.fail) && delta > 0 {
		return 0, errors.New("counter store down")
	}
	return b.CounterStore.Increment(ctx, key, delta, ttl)
}

func TestStoreFailureDeniesAndRollsBack(t *testing.T) {
	s := memstore.New(memstore.Config{})
	t.Cleanup(func() { _ = s.Close() })
	e, err := quota.New(&brokenCounters{CounterStore: s.Counters(), fail: ":window:"}, quota.Config{})
	require.NoError(t, err)
	sub := subject(permissions.Quota{PointsPerDay: 100, PointsPerDateWindow: 100, MaxConcurrentExecution: 1})
	_, err = acquire(e, sub, 10)
	require.Error(t, err)
	assert.NotErrorIs(t, err, quota.ErrQuotaExceeded, "a failure is not a decision")
	ctx := context.Background()
	n, err := s.Counters().Slots(ctx, slotKey)
	require.NoError(t, err)
	assert.Zero(t, n)
	day, _, err := s.Counters().Counter(ctx, "quota:day:u1:UNIVERSAL:PLAN:"+time.Now().In(utc3).Format(time.DateOnly))
	require.NoError(t, err)
	assert.Zero(t, day)
}

func TestNoQuotaAndAdmin(t *testing.T) {
	e, _, _ := setup(t, "2024-02-21T10:00:00Z")
	s := quota.Subject{UserID: "u1"}
	_, err := acquire(e, s, 1)
	assert.ErrorIs(t, err, quota.ErrNoQuota, "default deny")
	s.Admin = true
	r, err := acquire(e, s, 1_000_000)
	require.NoError(t, err)
	r()
	s.Quotas = []permissions.Quota{{Service: "UNIVERSAL", MethodGroup: "PLAN", PointsPerRequest: 1}}
	_, err = acquire(e, s, 2)
	requireExceeded(t, err, quota.LimitPointsPerRequest)
	_, err = acquire(e, quota.Subject{Quotas: s.Quotas}, 1)
	assert.Error(t, err, "a subject needs a user id")
}

func TestZeroMeansUnlimited(t *testing.T) {
	e, _, _ := setup(t, "2024-02-21T10:00:00Z")
	s := subject(permissions.Quota{})
	for range 100 {
		r, err := acquire(e, s, 1_000_000)
		require.NoError(t, err)
		defer r()
	}
}

func TestConcurrentPointsPerDayNeverExceeded(t *testing.T) {
	for _, points := range []int64{1, 3, 7} {
		e, counters, c := setup(t, "2024-02-21T10:00:00Z")
		s := subject(permissions.Quota{PointsPerDay: 100})
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 5 {
					if _, err := acquire(e, s, points); err == nil {
						admitted.Add(points)
					} else if !errors.Is(err, quota.ErrQuotaExceeded) {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		assert.LessOrEqual(t, admitted.Load(), int64(100), "points %d", points)
		assert.Greater(t, admitted.Load(), int64(100)-points*50, "the limit is reached, not starved")
		v, _, err := counters.Counter(context.Background(), "quota:day:u1:UNIVERSAL:PLAN:"+c.Now().In(utc3).Format(time.DateOnly))
		require.NoError(t, err)
		assert.Equal(t, admitted.Load(), v, "every refused charge was rolled back")
	}
}

func TestConcurrentSlotsExact(t *testing.T) {
	e, _, _ := setup(t, "2024-02-21T10:00:00Z")
	s := subject(permissions.Quota{MaxConcurrentExecution: 5})
	var (
		mu       sync.Mutex
		releases []quota.Release
		wg       sync.WaitGroup
	)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := acquire(e, s, 1)
			if err != nil {
				requireExceeded(t, err, quota.LimitMaxConcurrentExecution)
				return
			}
			mu.Lock()
			releases = append(releases, r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	assert.Len(t, releases, 5)
	for _, r := range releases {
		r()
	}
	r, err := acquire(e, s, 1)
	require.NoError(t, err, "released slots are free again")
	r()
}

func TestNewRefusesBadConfig(t *testing.T) {
	s := memstore.New(memstore.Config{})
	defer s.Close()
	_, err := quota.New(nil, quota.Config{})
	assert.Error(t, err)
	_, err = quota.New(s.Counters(), quota.Config{WindowDays: -1})
	assert.Error(t, err)
}

func TestCountersExpireWithTheirDayAndWindow(t *testing.T) {
	e, counters, _ := setup(t, "2024-02-21T20:30:00Z") // 23:30 in UTC+3
	s := subject(permissions.Quota{PointsPerDay: 10, PointsPerDateWindow: 10})
	_, err := acquire(e, s, 1)
	require.NoError(t, err)
	ctx := context.Background()
	_, exp, err := counters.Counter(ctx, "quota:day:u1:UNIVERSAL:PLAN:2024-02-21")
	require.NoError(t, err, "the day is the user's: still the 21st at 23:30 UTC+3")
	assert.True(t, exp.Equal(time.Date(2024, 2, 22, 1, 0, 0, 0, utc3)), "local midnight plus the 1h margin, got %v", exp)
	// 2024-02-21 is day 19774 since 1970-01-01: window 659 of 30 days,
	// ending on day 19800 = 2024-03-18.
	_, exp, err = counters.Counter(ctx, "quota:window:u1:UNIVERSAL:PLAN:659/30")
	require.NoError(t, err)
	assert.True(t, exp.Equal(time.Date(2024, 3, 18, 1, 0, 0, 0, utc3)), "got %v", exp)
}

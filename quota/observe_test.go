package quota_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type refusals struct {
	observe.Nop
	got []observe.QuotaRefusal
}

func (r *refusals) QuotaRefused(_ context.Context, e observe.QuotaRefusal) { r.got = append(r.got, e) }

// downCounters fails every increment.
type downCounters struct{ storage.CounterStore }

func (downCounters) Increment(context.Context, string, int64, time.Duration) (int64, error) {
	return 0, errors.New("connection refused")
}

func TestObserverRefusals(t *testing.T) {
	c := gatehousetest.NewClock(time.Date(2024, 2, 21, 10, 0, 0, 0, time.UTC))
	st := memstore.New(memstore.Config{Now: c.Now})
	t.Cleanup(func() { _ = st.Close() })
	obs := &refusals{}
	e, err := quota.New(st.Counters(), quota.Config{Now: c.Now, Observer: obs})
	require.NoError(t, err)
	broken, err := quota.New(downCounters{st.Counters()}, quota.Config{Now: c.Now, Observer: obs})
	require.NoError(t, err)
	s := subject(permissions.Quota{PointsPerRequest: 15, PointsPerDay: 20})

	tests := []struct {
		name   string
		e      *quota.Enforcer
		s      quota.Subject
		points int64
		want   *observe.QuotaRefusal
	}{
		{"allowed", e, s, 15, nil},
		{"per request", e, s, 16, &observe.QuotaRefusal{Outcome: observe.QuotaExceeded, Limit: quota.LimitPointsPerRequest}},
		{"per day", e, s, 10, &observe.QuotaRefusal{Outcome: observe.QuotaExceeded, Limit: quota.LimitPointsPerDay}},
		{"no quota", e, quota.Subject{UserID: "u2"}, 1, &observe.QuotaRefusal{Outcome: observe.QuotaNone}},
		{"store down", broken, s, 1, &observe.QuotaRefusal{Outcome: observe.QuotaUnavailable}},
		{"caller's mistake", e, s, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs.got = nil
			release, err := tt.e.Acquire(context.Background(), tt.s, "UNIVERSAL", "PLAN", tt.points)
			release()
			if tt.want == nil {
				assert.Empty(t, obs.got)
				return
			}
			require.Error(t, err)
			tt.want.Service, tt.want.MethodGroup = "UNIVERSAL", "PLAN"
			assert.Equal(t, []observe.QuotaRefusal{*tt.want}, obs.got)
		})
	}
}

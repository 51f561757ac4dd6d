package memstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Expired counters and slots must not pile up in memory when nobody reads
// them again.
func TestExpiredCountersAndSlotsAreSwept(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(Config{Now: func() time.Time { return now }})
	ctx := t.Context()
	const n = 5000
	for round := range 4 {
		for i := range n {
			key := fmt.Sprint(round, "/", i)
			_, err := s.Counters().Increment(ctx, key, 1, time.Minute)
			require.NoError(t, err)
			_, err = s.Counters().AcquireSlot(ctx, key, "h", 1, time.Minute)
			require.NoError(t, err)
		}
		now = now.Add(time.Hour)
	}
	require.LessOrEqual(t, len(s.counters.counters), 2*n, "counters")
	require.LessOrEqual(t, len(s.counters.slots), 2*n, "slot keys")
}

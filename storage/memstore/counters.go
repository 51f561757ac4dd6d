package memstore

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// minSweep is the number of counters or slot keys below which expired
// entries are not swept (they are skipped on reads either way).
const minSweep = 1024

// counter is a counter's value and expiry.
type counter struct {
	value     int64
	expiresAt time.Time
}

// counterStore keeps counters and slots. A counter or slot expires when the
// store's clock reaches its expiry; it is then treated as absent, and swept
// from memory once the maps have doubled since the last sweep.
type counterStore struct {
	s              *Store
	mu             sync.Mutex
	counters       map[string]counter
	slots          map[string]map[string]time.Time // key → holder → expiry
	nextSweepCount int
	nextSweepSlots int
}

func (cs *counterStore) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	if err := cs.s.check(ctx); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, fmt.Errorf("memstore: increment %q: ttl %v: %w", key, ttl, storage.ErrInvalid)
	}
	now := cs.s.clock()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.counters[key]
	if !ok || !now.Before(c.expiresAt) {
		c = counter{expiresAt: now.Add(ttl)}
	}
	c.value += delta
	if cs.counters == nil {
		cs.counters = make(map[string]counter)
	}
	cs.counters[key] = c
	if len(cs.counters) >= cs.nextSweepCount {
		for k, c := range cs.counters {
			if !now.Before(c.expiresAt) {
				delete(cs.counters, k)
			}
		}
		cs.nextSweepCount = max(2*len(cs.counters), minSweep)
	}
	return c.value, nil
}

func (cs *counterStore) Counter(ctx context.Context, key string) (int64, time.Time, error) {
	if err := cs.s.check(ctx); err != nil {
		return 0, time.Time{}, err
	}
	now := cs.s.clock()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c, ok := cs.counters[key]
	if !ok || !now.Before(c.expiresAt) {
		return 0, time.Time{}, fmt.Errorf("memstore: counter %q: %w", key, storage.ErrNotFound)
	}
	return c.value, c.expiresAt, nil
}

func (cs *counterStore) ResetCounter(ctx context.Context, key string) error {
	if err := cs.s.check(ctx); err != nil {
		return err
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	delete(cs.counters, key)
	return nil
}

func (cs *counterStore) AcquireSlot(ctx context.Context, key, holder string, limit int, ttl time.Duration) (bool, error) {
	if err := cs.s.check(ctx); err != nil {
		return false, err
	}
	if limit <= 0 || ttl <= 0 {
		return false, fmt.Errorf("memstore: acquire slot %q: limit %d, ttl %v: %w", key, limit, ttl, storage.ErrInvalid)
	}
	now := cs.s.clock()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	held := cs.liveSlots(key, now)
	if _, ok := held[holder]; !ok && len(held) >= limit {
		return false, nil
	}
	if held == nil {
		held = make(map[string]time.Time)
		if cs.slots == nil {
			cs.slots = make(map[string]map[string]time.Time)
		}
		cs.slots[key] = held
	}
	held[holder] = now.Add(ttl)
	if len(cs.slots) >= cs.nextSweepSlots {
		for k := range cs.slots {
			cs.liveSlots(k, now)
		}
		cs.nextSweepSlots = max(2*len(cs.slots), minSweep)
	}
	return true, nil
}

// liveSlots drops key's expired slots and returns the live ones (nil when
// there are none left).
func (cs *counterStore) liveSlots(key string, now time.Time) map[string]time.Time {
	held := cs.slots[key]
	for h, exp := range held {
		if !now.Before(exp) {
			delete(held, h)
		}
	}
	if held != nil && len(held) == 0 {
		delete(cs.slots, key)
		return nil
	}
	return held
}

func (cs *counterStore) ReleaseSlot(ctx context.Context, key, holder string) error {
	if err := cs.s.check(ctx); err != nil {
		return err
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if held := cs.slots[key]; held != nil {
		delete(held, holder)
		if len(held) == 0 {
			delete(cs.slots, key)
		}
	}
	return nil
}

func (cs *counterStore) Slots(ctx context.Context, key string) (int, error) {
	if err := cs.s.check(ctx); err != nil {
		return 0, err
	}
	now := cs.s.clock()
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return len(cs.liveSlots(key, now)), nil
}

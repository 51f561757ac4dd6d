package cachestore

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
	"time"
)

// shardCount is the number of independently locked parts of a table.
const shardCount = 32

// generation counts the drops of a cache: every drop moves it, and a read
// that began under an older generation keeps nothing (see table.put). up
// is whether the feed listens: nothing is served or kept while it does
// not.
type generation struct {
	n  atomic.Uint64
	up atomic.Bool
}

// table is a bounded map from a key to a value and the time it was read,
// split into shards.
type table[T any] struct {
	seed     maphash.Seed
	perShard int
	shards   [shardCount]shard[T]
}

type shard[T any] struct {
	mu sync.RWMutex
	m  map[string]entry[T]
}

type entry[T any] struct {
	value T
	read  time.Time
}

func newTable[T any](maxEntries int) *table[T] {
	t := &table[T]{seed: maphash.MakeSeed(), perShard: max(1, maxEntries/shardCount)}
	for i := range t.shards {
		t.shards[i].m = make(map[string]entry[T])
	}
	return t
}

func (t *table[T]) shard(key string) *shard[T] {
	return &t.shards[maphash.String(t.seed, key)%shardCount]
}

// get returns the value kept under key if it was read after notBefore
// and not after now (a clock that went back ages every entry out).
func (t *table[T]) get(key string, notBefore, now time.Time) (T, bool) {
	s := t.shard(key)
	s.mu.RLock()
	e, ok := s.m[key]
	s.mu.RUnlock()
	if !ok || !e.read.After(notBefore) || e.read.After(now) {
		var zero T
		return zero, false
	}
	return e.value, true
}

// put keeps value under key, read at read, unless the generation has
// moved since gen was taken (before the value was read) or the feed does
// not listen. A full shard first forgets one entry chosen at random.
func (t *table[T]) put(g *generation, gen uint64, key string, value T, read time.Time) bool {
	s := t.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.n.Load() != gen || !g.up.Load() {
		return false
	}
	if _, ok := s.m[key]; !ok && len(s.m) >= t.perShard {
		for k := range s.m {
			delete(s.m, k)
			break
		}
	}
	s.m[key] = entry[T]{value: value, read: read}
	return true
}

// update changes the value kept under key, if any, in place.
func (t *table[T]) update(key string, fn func(*T)) {
	s := t.shard(key)
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.m[key]; ok {
		fn(&e.value)
		s.m[key] = e
	}
}

// drop forgets key and moves the generation, so that a read in flight
// does not keep what it read before the change.
func (t *table[T]) drop(g *generation, key string) {
	s := t.shard(key)
	s.mu.Lock()
	delete(s.m, key)
	g.n.Add(1)
	s.mu.Unlock()
}

// dropIf forgets every entry for which fn is true and moves the
// generation.
func (t *table[T]) dropIf(g *generation, fn func(T) bool) {
	g.n.Add(1)
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		for k, e := range s.m {
			if fn(e.value) {
				delete(s.m, k)
			}
		}
		s.mu.Unlock()
	}
}

// clear forgets everything. The caller has moved the generation.
func (t *table[T]) clear() {
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.Lock()
		clear(s.m)
		s.mu.Unlock()
	}
}

// len returns the number of entries kept.
func (t *table[T]) len() int {
	n := 0
	for i := range t.shards {
		s := &t.shards[i]
		s.mu.RLock()
		n += len(s.m)
		s.mu.RUnlock()
	}
	return n
}

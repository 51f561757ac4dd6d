package memstore

import (
	"sync"

	"github.com/gatehouse-go/gatehouse/storage"
)

// feed is the store's [storage.ChangeFeed]: the handlers watching it,
// called by each write before it returns. A memory store is never shared
// by two processes, but two Gatehouse values (or two caches) in one
// process may share it, and they learn of each other's writes here.
type feed struct {
	mu       sync.Mutex
	next     int
	handlers map[int]storage.ChangeHandler
}

// WatchChanges implements [storage.ChangeFeed]: h is subscribed before
// WatchChanges returns and is told of every later change at once, by the
// writing goroutine, one call at a time. The feed is never lost.
func (s *Store) WatchChanges(h storage.ChangeHandler) (stop func(), err error) {
	f := &s.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.handlers == nil {
		f.handlers = make(map[int]storage.ChangeHandler)
	}
	id := f.next
	f.next++
	f.handlers[id] = h
	h.Subscribed()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.handlers, id)
			f.mu.Unlock()
		})
	}, nil
}

// publish tells every handler of c.
func (f *feed) publish(c storage.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.handlers {
		h.Changed(c)
	}
}

var _ storage.ChangeFeed = (*Store)(nil)

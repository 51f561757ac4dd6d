package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
)

// feedBackend is a backend whose feed the test drives.
type feedBackend struct {
	mu sync.Mutex
	h  storage.ChangeHandler
}

func (*feedBackend) Ping(context.Context) error { return nil }
func (*feedBackend) Close() error               { return nil }
func (f *feedBackend) WatchChanges(h storage.ChangeHandler) (func(), error) {
	f.mu.Lock()
	f.h = h
	f.mu.Unlock()
	return func() {}, nil
}

// plainBackend is a backend without a feed.
type plainBackend struct{}

func (plainBackend) Ping(context.Context) error { return nil }
func (plainBackend) Close() error               { return nil }

// events records what a merged feed reports.
type events struct {
	mu  sync.Mutex
	log []string
}

func (e *events) add(s string)             { e.mu.Lock(); e.log = append(e.log, s); e.mu.Unlock() }
func (e *events) Changed(c storage.Change) { e.add("changed " + storage.EncodeChange(c)) }
func (e *events) Subscribed()              { e.add("subscribed") }
func (e *events) Lost(error)               { e.add("lost") }
func (e *events) got() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.log...)
}

func TestComposedFeedListensWhenEveryPartListens(t *testing.T) {
	base := memstore.New(memstore.Config{})
	hot := &feedBackend{}
	s := storage.Compose(base, storage.Parts{Sessions: base.Sessions(), Backends: []storage.Backend{hot}})
	var ev events
	stop, err := s.(storage.ChangeFeed).WatchChanges(&ev)
	require.NoError(t, err)
	defer stop()
	assert.Empty(t, ev.got(), "listening before the Redis part listens")

	hot.h.Subscribed()
	hot.h.Changed(storage.Change{Kind: storage.ChangeSession, Key: "h1"})
	hot.h.Lost(errors.New("reset"))
	hot.h.Lost(errors.New("reset again"))
	hot.h.Subscribed()
	assert.Equal(t, []string{"subscribed", "changed s:h1", "lost", "subscribed"}, ev.got())
}

func TestComposedFeedRefusesWhatItCannotWatch(t *testing.T) {
	base := memstore.New(memstore.Config{})
	for name, s := range map[string]storage.Store{
		"a backend without a feed": storage.Compose(base, storage.Parts{Sessions: base.Sessions(), Backends: []storage.Backend{plainBackend{}}}),
		"parts with no backend":    storage.Compose(base, storage.Parts{Sessions: base.Sessions()}),
		"a base without a feed":    storage.Compose(struct{ storage.Store }{base}, storage.Parts{}),
	} {
		_, err := s.(storage.ChangeFeed).WatchChanges(&events{})
		assert.ErrorIs(t, err, errors.ErrUnsupported, name)
	}
	// Counters alone elsewhere need no feed.
	s := storage.Compose(base, storage.Parts{Counters: base.Counters()})
	stop, err := s.(storage.ChangeFeed).WatchChanges(&events{})
	require.NoError(t, err)
	stop()
}

package feedloop

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

type events struct {
	mu  sync.Mutex
	log []string
}

func (e *events) add(s string)           { e.mu.Lock(); e.log = append(e.log, s); e.mu.Unlock() }
func (e *events) Changed(storage.Change) { e.add("changed") }
func (e *events) Subscribed()            { e.add("subscribed") }
func (e *events) Lost(error)             { e.add("lost") }

// One connection that listens and fails, then three that fail at once,
// then one that listens until stopped: Subscribed once per listening
// connection, Lost once per outage.
func TestSubscribedAndLostOncePerOutage(t *testing.T) {
	var ev events
	calls := 0
	listening := make(chan struct{})
	stop := Start(&ev, func(ctx context.Context, h storage.ChangeHandler, subscribed func()) error {
		calls++
		switch {
		case calls == 1:
			subscribed()
			subscribed()
			return errors.New("reset")
		case calls <= 4:
			return errors.New("refused")
		}
		subscribed()
		close(listening)
		<-ctx.Done()
		return ctx.Err()
	}, nil)
	select {
	case <-listening:
	case <-time.After(10 * time.Second):
		t.Fatal("the fifth connection never came")
	}
	stop()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	want := []string{"subscribed", "lost", "subscribed"}
	if len(ev.log) != len(want) {
		t.Fatalf("got %v, want %v", ev.log, want)
	}
	for i := range want {
		if ev.log[i] != want[i] {
			t.Fatalf("got %v, want %v", ev.log, want)
		}
	}
}

func TestFirstConnectionFailingIsLost(t *testing.T) {
	var ev events
	failed := make(chan struct{}, 10)
	var lostErr error
	stop := Start(&ev, func(ctx context.Context, h storage.ChangeHandler, subscribed func()) error {
		failed <- struct{}{}
		return errors.New("no server")
	}, func(err error) { lostErr = err })
	<-failed
	<-failed // the second attempt began: the first one's Lost was reported
	stop()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.log) != 1 || ev.log[0] != "lost" || lostErr == nil {
		t.Fatalf("got %v (onLost %v), want one lost", ev.log, lostErr)
	}
}

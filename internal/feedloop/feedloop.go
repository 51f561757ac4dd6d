// Package feedloop runs the connection loop of a store's change feed
// (storage.ChangeFeed), which sqlstore and redisstore share: listen until
// the connection fails, report Lost once per outage, reconnect with
// backoff.
package feedloop

import (
	"context"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// The backoff between connections: from RetryMin, doubling to RetryMax,
// back to RetryMin once a connection has listened.
const (
	RetryMin = 50 * time.Millisecond
	RetryMax = 2 * time.Second
)

// Listen opens one connection and delivers its changes to h until the
// connection fails (its error returned) or ctx ends. It calls subscribed
// once it has proven that changes reach it, as often as it likes.
type Listen func(ctx context.Context, h storage.ChangeHandler, subscribed func()) error

// Start runs listen in a goroutine, again after every failure, and
// returns the function that stops it and waits for it to end. h.Subscribed
// is called once per connection, at its first subscribed; h.Lost once per
// outage (and when the first connection fails), not on every failed
// retry, after onLost (which may be nil) has seen the error.
func Start(h storage.ChangeHandler, listen Listen, onLost func(error)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx, h, listen, onLost)
	}()
	return func() { cancel(); <-done }
}

func run(ctx context.Context, h storage.ChangeHandler, listen Listen, onLost func(error)) {
	wait := RetryMin
	for {
		listening := false
		err := listen(ctx, h, func() {
			if !listening {
				listening = true
				h.Subscribed()
			}
		})
		if ctx.Err() != nil {
			return
		}
		if listening || wait == RetryMin {
			if onLost != nil {
				onLost(err)
			}
			h.Lost(err)
		}
		if listening {
			wait = RetryMin
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, RetryMax)
	}
}

package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-go/gatehouse/storage"
)

// The feed's health check: after a quiet FeedPingInterval the feed's
// connection is pinged, and a ping unanswered after FeedPingTimeout loses
// the feed. A reconnection waits from feedRetryMin, doubling to
// feedRetryMax.
const (
	FeedPingInterval = time.Second
	FeedPingTimeout  = time.Second
	feedReceiveWait  = 250 * time.Millisecond
	feedRetryMin     = 50 * time.Millisecond
	feedRetryMax     = 2 * time.Second
)

var _ storage.ChangeFeed = (*Store)(nil)

// channel is the pub/sub channel of the store's changes. Pub/sub ignores
// Redis's database numbers, so the channel carries the key prefix: two
// deployments with their own prefixes do not hear each other.
func (s *Store) channel() string { return s.prefix + "changes" }

// WatchChanges implements [storage.ChangeFeed] for the sessions this store
// keeps: a revoke, and the sweep of a session that was still live, publish
// their change in the same script as the write (PUBLISH inside the Lua
// script, so the write and its message are one step). It subscribes on a
// pub/sub connection of its own. Any error on it, or a ping unanswered
// for [FeedPingTimeout] after a quiet [FeedPingInterval], reports Lost;
// the feed then drops that connection, subscribes again on a new one with
// backoff, and reports Subscribed once Redis confirms. (go-redis would
// otherwise resubscribe by itself and hide the gap.)
//
// A store that keeps users and roles elsewhere (storage.Compose) merges
// this feed with that store's.
func (s *Store) WatchChanges(h storage.ChangeHandler) (stop func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.watch(ctx, h)
	}()
	return func() { cancel(); <-done }, nil
}

// watch subscribes until ctx ends, again after every failure.
func (s *Store) watch(ctx context.Context, h storage.ChangeHandler) {
	listening := false
	wait := feedRetryMin
	for {
		err := s.listen(ctx, h, &listening)
		if ctx.Err() != nil {
			return
		}
		if listening || wait == feedRetryMin {
			h.Lost(err)
		}
		if listening {
			listening, wait = false, feedRetryMin
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, feedRetryMax)
	}
}

// listen subscribes on a new pub/sub connection and delivers messages
// until it fails (its error returned) or ctx ends.
func (s *Store) listen(ctx context.Context, h storage.ChangeHandler, listening *bool) error {
	ps := s.c.Subscribe(ctx)
	defer ps.Close()
	if err := ps.Subscribe(ctx, s.channel()); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	heard := time.Now() // the last message of any kind
	var pinged time.Time
	for {
		msg, err := ps.ReceiveTimeout(ctx, feedReceiveWait)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				return fmt.Errorf("receive: %w", err)
			}
			switch {
			case !pinged.IsZero() && time.Since(pinged) > FeedPingTimeout:
				return errors.New("ping unanswered")
			case pinged.IsZero() && time.Since(heard) >= FeedPingInterval:
				if err := ps.Ping(ctx); err != nil {
					return fmt.Errorf("ping: %w", err)
				}
				pinged = time.Now()
			}
			continue
		}
		heard, pinged = time.Now(), time.Time{}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" && m.Channel == s.channel() {
				*listening = true
				h.Subscribed()
			}
		case *redis.Message:
			c, ok := storage.DecodeChange(m.Payload)
			if !ok {
				c = storage.Change{} // unknown: the handler drops everything
			}
			h.Changed(c)
		}
	}
}

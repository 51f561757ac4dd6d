package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-go/gatehouse/internal/feedloop"
	"github.com/gatehouse-go/gatehouse/storage"
)

// The feed's health check: after a quiet FeedPingInterval the feed
// publishes itself a heartbeat through Redis, and a heartbeat that has not
// come back after FeedPingTimeout loses the feed. A reconnection backs off
// from 50 ms to 2 s (package feedloop).
const (
	FeedPingInterval = time.Second
	FeedPingTimeout  = time.Second
	feedReceiveWait  = 100 * time.Millisecond
)

// heartbeatPrefix starts the payload of a feed's heartbeat; every feed
// ignores the others'.
const heartbeatPrefix = "h:"

var _ storage.ChangeFeed = (*Store)(nil)

// channel is the pub/sub channel of the store's changes. Pub/sub ignores
// Redis's database numbers, so the channel carries the key prefix: two
// deployments with their own prefixes do not hear each other.
func (s *Store) channel() string { return s.prefix + "changes" }

// WatchChanges implements [storage.ChangeFeed] for the sessions this store
// keeps: a revoke, and the sweep of a session that was still live, publish
// their change in the same script as the write (PUBLISH inside the Lua
// script, so the write and its message are one step). It subscribes on a
// pub/sub connection of its own and reports Subscribed only once a
// heartbeat it published itself has come back, and again after every
// quiet [FeedPingInterval] it publishes one: a heartbeat not back within
// [FeedPingTimeout], any error on the connection, or a second subscribe
// confirmation on it (go-redis resubscribing by itself after a
// reconnection, which would hide the gap) reports Lost. The feed then
// drops that connection and subscribes again on a new one, with backoff.
//
// A store that keeps users and roles elsewhere (storage.Compose) merges
// this feed with that store's.
func (s *Store) WatchChanges(h storage.ChangeHandler) (stop func(), err error) {
	return feedloop.Start(h, s.listen, nil), nil
}

// listen subscribes on a new pub/sub connection, proves delivery with a
// heartbeat, and delivers messages until the connection fails, a
// heartbeat is late or go-redis resubscribes (its error returned) or ctx
// ends.
func (s *Store) listen(ctx context.Context, h storage.ChangeHandler, subscribed func()) error {
	ch := s.channel()
	ps := s.c.Subscribe(ctx)
	defer ps.Close()
	if err := ps.Subscribe(ctx, ch); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	var (
		beat      string    // the heartbeat awaited; empty: none
		sent      time.Time // when it was sent
		lastHeard = time.Now()
		confirmed bool // Redis confirmed the subscription
		seq       int
	)
	nonce := rand.Text()
	sendBeat := func() error {
		seq++
		beat = fmt.Sprintf("%s%s.%d", heartbeatPrefix, nonce, seq)
		sent = time.Now()
		if err := s.c.Publish(ctx, ch, beat).Err(); err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		return nil
	}
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
			case beat != "" && time.Since(sent) >= FeedPingTimeout:
				return fmt.Errorf("heartbeat not back after %s", FeedPingTimeout)
			case beat == "" && confirmed && time.Since(lastHeard) >= FeedPingInterval:
				if err := sendBeat(); err != nil {
					return err
				}
			}
			continue
		}
		lastHeard = time.Now()
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" || m.Channel != ch {
				continue
			}
			if confirmed {
				return errors.New("subscribed again on the same connection: messages in between may be lost")
			}
			confirmed = true
			if err := sendBeat(); err != nil {
				return err
			}
		case *redis.Message:
			if strings.HasPrefix(m.Payload, heartbeatPrefix) {
				if m.Payload == beat {
					beat = ""
					subscribed()
				}
				continue // another process's heartbeat
			}
			c, ok := storage.DecodeChange(m.Payload)
			if !ok {
				c = storage.Change{Kind: storage.ChangeAll}
			}
			h.Changed(c)
		}
	}
}

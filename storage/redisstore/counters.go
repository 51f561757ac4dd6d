package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-go/gatehouse/storage"
)

// counterStore keeps each counter in a hash (v: value, e: expiry in µs)
// and each slot key in a sorted set of holders scored by their expiry.
type counterStore struct{ s *Store }

// incrementScript restarts an absent or expired counter from zero with the
// new expiry, then adds the delta. KEYS: counter; ARGV: delta, now, expiry
// (µs), expiry (ms).
var incrementScript = redis.NewScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if (not e) or tonumber(e) <= tonumber(ARGV[2]) then
	redis.call('DEL', KEYS[1])
	redis.call('HSET', KEYS[1], 'v', 0, 'e', ARGV[3])
	redis.call('PEXPIREAT', KEYS[1], ARGV[4])
end
return redis.call('HINCRBY', KEYS[1], 'v', ARGV[1])
`)

func (cs *counterStore) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	s := cs.s
	if err := checkCtx(ctx, "increment"); err != nil {
		return 0, err
	}
	if ttl <= 0 {
		return 0, fmt.Errorf("redisstore: increment %q: ttl %v: %w", key, ttl, storage.ErrInvalid)
	}
	now := s.clock()
	exp := now + ttl.Microseconds()
	v, err := incrementScript.Run(ctx, s.c, []string{s.key("c", key)}, delta, now, exp, expireMS(exp)).Int64()
	if err != nil {
		return 0, fmt.Errorf("redisstore: increment %q: %w", key, err)
	}
	return v, nil
}

func (cs *counterStore) Counter(ctx context.Context, key string) (int64, time.Time, error) {
	s := cs.s
	if err := checkCtx(ctx, "counter"); err != nil {
		return 0, time.Time{}, err
	}
	vals, err := s.c.HMGet(ctx, s.key("c", key), "v", "e").Result()
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("redisstore: counter %q: %w", key, err)
	}
	vs, ok1 := vals[0].(string)
	es, ok2 := vals[1].(string)
	if !ok1 || !ok2 {
		return 0, time.Time{}, fmt.Errorf("redisstore: counter %q: %w", key, storage.ErrNotFound)
	}
	v, err1 := strconv.ParseInt(vs, 10, 64)
	e, err2 := strconv.ParseInt(es, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, time.Time{}, fmt.Errorf("redisstore: counter %q: %w", key, err)
	}
	if e <= s.clock() {
		return 0, time.Time{}, fmt.Errorf("redisstore: counter %q: %w", key, storage.ErrNotFound)
	}
	return v, time.UnixMicro(e).UTC(), nil
}

func (cs *counterStore) ResetCounter(ctx context.Context, key string) error {
	s := cs.s
	if err := checkCtx(ctx, "reset counter"); err != nil {
		return err
	}
	if err := s.c.Del(ctx, s.key("c", key)).Err(); err != nil {
		return fmt.Errorf("redisstore: reset counter %q: %w", key, err)
	}
	return nil
}

// acquireScript drops expired holders, then grants holder a slot if it has
// one already or fewer than limit are held, and keeps the set alive until
// its last slot ends. KEYS: slot set; ARGV: holder, limit, now, expiry
// (µs).
var acquireScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
if (not redis.call('ZSCORE', KEYS[1], ARGV[1])) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
	return 0
end
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], math.ceil(tonumber(last[2]) / 1000))
return 1
`)

func (cs *counterStore) AcquireSlot(ctx context.Context, key, holder string, limit int, ttl time.Duration) (bool, error) {
	s := cs.s
	if err := checkCtx(ctx, "acquire slot"); err != nil {
		return false, err
	}
	if limit <= 0 || ttl <= 0 {
		return false, fmt.Errorf("redisstore: acquire slot %q: limit %d, ttl %v: %w", key, limit, ttl, storage.ErrInvalid)
	}
	now := s.clock()
	n, err := acquireScript.Run(ctx, s.c, []string{s.key("l", key)}, holder, limit, now, now+ttl.Microseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("redisstore: acquire slot %q: %w", key, err)
	}
	return n == 1, nil
}

func (cs *counterStore) ReleaseSlot(ctx context.Context, key, holder string) error {
	s := cs.s
	if err := checkCtx(ctx, "release slot"); err != nil {
		return err
	}
	if err := s.c.ZRem(ctx, s.key("l", key), holder).Err(); err != nil {
		return fmt.Errorf("redisstore: release slot %q: %w", key, err)
	}
	return nil
}

func (cs *counterStore) Slots(ctx context.Context, key string) (int, error) {
	s := cs.s
	if err := checkCtx(ctx, "slots"); err != nil {
		return 0, err
	}
	n, err := s.c.ZCount(ctx, s.key("l", key), "("+strconv.FormatInt(s.clock(), 10), "+inf").Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: slots %q: %w", key, err)
	}
	return int(n), nil
}

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

// sessionStore keeps each session in a hash under PREFIX s:<id hash>, its
// user's index under PREFIX u:<user id> and the expiry index under
// PREFIX x. A session whose ExpiresAt is at or before the store's clock is
// treated as absent.
type sessionStore struct{ s *Store }

// createScript stores a new session and indexes it. KEYS: session, user
// index, expiry index; ARGV: user id, created, expires, last seen (µs),
// client ip, user agent, epoch, revoked, id hash, expiry (ms).
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'u', ARGV[1], 'c', ARGV[2], 'e', ARGV[3], 'l', ARGV[4],
	'ip', ARGV[5], 'ua', ARGV[6], 'ep', ARGV[7], 'r', ARGV[8])
redis.call('PEXPIREAT', KEYS[1], ARGV[10])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[9])
local cur = redis.call('PEXPIRETIME', KEYS[2])
if cur == -1 or cur < tonumber(ARGV[10]) then
	redis.call('PEXPIREAT', KEYS[2], ARGV[10])
end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[9])
return 1
`)

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (ss *sessionStore) CreateSession(ctx context.Context, x storage.Session) error {
	s := ss.s
	if err := checkCtx(ctx, "create session"); err != nil {
		return err
	}
	if x.IDHash == "" || x.UserID == "" {
		return fmt.Errorf("redisstore: create session: empty id hash or user id: %w", storage.ErrInvalid)
	}
	exp := x.ExpiresAt.UnixMicro()
	n, err := createScript.Run(ctx, s.c,
		[]string{s.key("s", x.IDHash), s.key("u", x.UserID), s.prefix + "x"},
		x.UserID, x.CreatedAt.UnixMicro(), exp, x.LastSeenAt.UnixMicro(), x.ClientIP, x.UserAgent,
		x.Epoch, boolString(x.Revoked), x.IDHash, expireMS(exp)).Int()
	if err != nil {
		return fmt.Errorf("redisstore: create session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: create session: id hash in use: %w", storage.ErrConflict)
	}
	return nil
}

// parseSession decodes a session hash; ok is false when it is empty.
func parseSession(idHash string, h map[string]string) (storage.Session, bool, error) {
	if len(h) == 0 {
		return storage.Session{}, false, nil
	}
	var errs []error
	num := func(f string) int64 {
		v, err := strconv.ParseInt(h[f], 10, 64)
		errs = append(errs, err)
		return v
	}
	x := storage.Session{
		IDHash: idHash, UserID: h["u"],
		CreatedAt: time.UnixMicro(num("c")).UTC(), ExpiresAt: time.UnixMicro(num("e")).UTC(),
		LastSeenAt: time.UnixMicro(num("l")).UTC(),
		ClientIP:   h["ip"], UserAgent: h["ua"], Epoch: num("ep"), Revoked: h["r"] == "1",
	}
	if err := errors.Join(errs...); err != nil {
		return storage.Session{}, false, fmt.Errorf("decode session: %w", err)
	}
	return x, true, nil
}

func (ss *sessionStore) GetSession(ctx context.Context, idHash string) (storage.Session, error) {
	s := ss.s
	if err := checkCtx(ctx, "get session"); err != nil {
		return storage.Session{}, err
	}
	h, err := s.c.HGetAll(ctx, s.key("s", idHash)).Result()
	if err != nil {
		return storage.Session{}, fmt.Errorf("redisstore: session: %w", err)
	}
	x, ok, err := parseSession(idHash, h)
	if err != nil {
		return storage.Session{}, fmt.Errorf("redisstore: session: %w", err)
	}
	if !ok || x.ExpiresAt.UnixMicro() <= s.clock() {
		return storage.Session{}, fmt.Errorf("redisstore: session: %w", storage.ErrNotFound)
	}
	return x, nil
}

// touchScript moves the last-seen time forward on a live session. KEYS:
// session; ARGV: last seen, now (µs).
var touchScript = redis.NewScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if (not e) or tonumber(e) <= tonumber(ARGV[2]) then return 0 end
if tonumber(ARGV[1]) > tonumber(redis.call('HGET', KEYS[1], 'l')) then
	redis.call('HSET', KEYS[1], 'l', ARGV[1])
end
return 1
`)

// revokeScript marks a live session revoked and publishes the change on
// the store's feed channel, in one step. KEYS: session; ARGV: now (µs),
// channel, id hash.
var revokeScript = redis.NewScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if (not e) or tonumber(e) <= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'r', '1')
redis.call('PUBLISH', ARGV[2], 's:' .. ARGV[3])
return 1
`)

func (ss *sessionStore) TouchSession(ctx context.Context, idHash string, lastSeen time.Time) error {
	s := ss.s
	if err := checkCtx(ctx, "touch session"); err != nil {
		return err
	}
	n, err := touchScript.Run(ctx, s.c, []string{s.key("s", idHash)}, lastSeen.UnixMicro(), s.clock()).Int()
	if err != nil {
		return fmt.Errorf("redisstore: touch session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: touch session: %w", storage.ErrNotFound)
	}
	return nil
}

func (ss *sessionStore) RevokeSession(ctx context.Context, idHash string) error {
	s := ss.s
	if err := checkCtx(ctx, "revoke session"); err != nil {
		return err
	}
	n, err := revokeScript.Run(ctx, s.c, []string{s.key("s", idHash)}, s.clock(), s.channel(), idHash).Int()
	if err != nil {
		return fmt.Errorf("redisstore: revoke session: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: revoke session: %w", storage.ErrNotFound)
	}
	return nil
}

func (ss *sessionStore) ListSessions(ctx context.Context, userID string) ([]storage.Session, error) {
	s := ss.s
	if err := checkCtx(ctx, "list sessions"); err != nil {
		return nil, err
	}
	index := s.key("u", userID)
	hashes, err := s.c.ZRange(ctx, index, 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("redisstore: list sessions: %w", err)
	}
	if len(hashes) == 0 {
		return nil, nil
	}
	pipe := s.c.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(hashes))
	for i, h := range hashes {
		cmds[i] = pipe.HGetAll(ctx, s.key("s", h))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("redisstore: list sessions: %w", err)
	}
	now := s.clock()
	var out []storage.Session
	var gone []any
	for i, cmd := range cmds {
		x, ok, err := parseSession(hashes[i], cmd.Val())
		if err != nil {
			return nil, fmt.Errorf("redisstore: list sessions: %w", err)
		}
		switch {
		case !ok:
			gone = append(gone, hashes[i])
		case x.ExpiresAt.UnixMicro() > now && x.UserID == userID:
			out = append(out, x)
		}
	}
	if len(gone) > 0 {
		// Redis has expired these sessions: trim the index (best effort).
		if err := s.c.ZRem(ctx, index, gone...).Err(); err != nil {
			return nil, fmt.Errorf("redisstore: list sessions: %w", err)
		}
	}
	return out, nil
}

// deleteScript deletes one session found in the expiry index if it has
// expired by the given time, and unindexes it; a session that was live by
// the store's clock is published on the feed channel. KEYS: session,
// expiry index; ARGV: time (µs), id hash, the user index key's prefix,
// the store's clock (µs), channel.
var deleteScript = redis.NewScript(`
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) > tonumber(ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[2], ARGV[2])
if not e then return 0 end
local u = redis.call('HGET', KEYS[1], 'u')
local r = redis.call('HGET', KEYS[1], 'r')
redis.call('DEL', KEYS[1])
redis.call('ZREM', ARGV[3] .. u, ARGV[2])
if tonumber(e) > tonumber(ARGV[4]) and r ~= '1' then
	redis.call('PUBLISH', ARGV[5], 's:' .. ARGV[2])
end
return 1
`)

func (ss *sessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	s := ss.s
	if err := checkCtx(ctx, "delete expired sessions"); err != nil {
		return 0, err
	}
	index := s.prefix + "x"
	hashes, err := s.c.ZRangeByScore(ctx, index, &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.UnixMicro(), 10)}).Result()
	if err != nil {
		return 0, fmt.Errorf("redisstore: delete expired sessions: %w", err)
	}
	n := 0
	for _, h := range hashes {
		d, err := deleteScript.Run(ctx, s.c, []string{s.key("s", h), index}, now.UnixMicro(), h, s.prefix+"u:", s.clock(), s.channel()).Int()
		if err != nil {
			return n, fmt.Errorf("redisstore: delete expired sessions: %w", err)
		}
		n += d
	}
	return n, nil
}

package session_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// costHasher models bcrypt's work without doing it: a hash
// "$cost$NN$<password>" costs 2^NN units to verify, a dummy verification
// 2^cost (the configured cost), and PadWork adds what a verification of a
// cheaper hash lacks, as user.Bcrypt does. work counts the units spent.
type costHasher struct {
	cost int
	mu   sync.Mutex
	work int64
}

func (h *costHasher) spend(units int64) { h.mu.Lock(); h.work += units; h.mu.Unlock() }

// take returns the units spent since the last take.
func (h *costHasher) take() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := h.work
	h.work = 0
	return w
}

func costHash(cost int, pw string) string { return fmt.Sprintf("$cost$%02d$%s", cost, pw) }

func parseCostHash(enc string) (int, string, bool) {
	rest, ok := strings.CutPrefix(enc, "$cost$")
	if !ok || len(rest) < 3 || rest[2] != '$' {
		return 0, "", false
	}
	c, err := strconv.Atoi(rest[:2])
	return c, rest[3:], err == nil
}

func (h *costHasher) Hash(pw string) (string, error) { return costHash(h.cost, pw), nil }

func (h *costHasher) Verify(enc, pw string) (bool, bool, error) {
	c, want, ok := parseCostHash(enc)
	if !ok {
		return false, false, user.ErrMalformedHash // refused before any work
	}
	h.spend(1 << c)
	return pw == want, pw == want && c != h.cost, nil
}

func (h *costHasher) VerifyDummy(string) { h.spend(1 << h.cost) }

func (h *costHasher) PadWork(enc, _ string) {
	c, _, ok := parseCostHash(enc)
	switch {
	case !ok:
		h.spend(1 << h.cost)
	case c < h.cost:
		h.spend(1<<h.cost - 1<<c)
	}
}

// Every failed login costs at least the configured hasher's work, whatever
// the stored hash: with cost 12 configured, a wrong password for a user
// whose hash was imported at cost 10 must not answer faster than an unknown
// user (the README, "Passwords", promises it).
func TestFailedLoginCostsTheConfiguredWork(t *testing.T) {
	h := &costHasher{cost: 12}
	f := newFixture(t, session.Config{Hasher: h, Throttle: session.Throttle{
		PerUsername: session.Limit{MaxFailures: -1}, PerAddress: session.Limit{MaxFailures: -1},
	}})
	add := func(name, hash string, blocked bool) {
		f.addUser(t, name, "x", func(u *user.User) { u.PasswordHash, u.Blocked = hash, blocked })
	}
	add("current", costHash(12, "right"), false)
	add("imported", costHash(10, "right"), false)
	add("ancient", costHash(4, "right"), false)
	add("nohash", "", false)
	add("broken", "$2a$10$not-a-hash", false)
	add("blocked", costHash(10, "right"), true)

	h.VerifyDummy("")
	configured := h.take()
	for _, tc := range []struct{ name, user, pw string }{
		{"unknown user", "nobody", "right"},
		{"wrong password, hash at the configured cost", "current", "wrong"},
		{"wrong password, hash imported at cost 10", "imported", "wrong"},
		{"wrong password, hash at cost 4", "ancient", "wrong"},
		{"no hash", "nohash", "right"},
		{"unusable hash", "broken", "right"},
		{"blocked, right password, cheap hash", "blocked", "right"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.m.Login(ctx, session.LoginRequest{Username: tc.user, Password: tc.pw})
			require.Equal(t, session.ErrInvalidCredentials, err)
			assert.Equal(t, configured, h.take(), "the work of one verification at the configured cost")
		})
	}

	// A success is not padded: the cheap hash is replaced instead.
	_, err := f.m.Login(ctx, session.LoginRequest{Username: "imported", Password: "right"})
	require.NoError(t, err)
	assert.Equal(t, int64(1<<10), h.take())
	u, err := f.store.Users().GetUserByUsername(ctx, "imported")
	require.NoError(t, err)
	assert.Equal(t, costHash(12, "right"), u.PasswordHash)
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// An imported plain bcrypt hash reads only 72 bytes: a longer password that
// shares them logs in (as in the system that made the hash), but must never
// replace the hash, or the owner's real password would stop working. The
// manager warns once per user instead.
func TestLegacyHashNotRehashedFromLongPassword(t *testing.T) {
	var logs syncBuffer
	f := newFixture(t, session.Config{Hasher: testHasher(t), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	prefix := strings.Repeat("p", 72)
	owner, attacker := prefix+" and the owner's tail", prefix+" attacker"
	raw, err := bcrypt.GenerateFromPassword([]byte(prefix), bcrypt.MinCost) // what the old system stored for owner
	require.NoError(t, err)
	legacy := "$2y$" + string(raw[4:])
	f.addUser(t, "alice", "x", func(u *user.User) { u.PasswordHash = legacy })

	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: attacker})
	require.NoError(t, err, "plain bcrypt compares the first 72 bytes, as the system that made it did")
	u, err := f.store.Users().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, legacy, u.PasswordHash, "never rehashed from a password longer than 72 bytes")

	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: owner})
	require.NoError(t, err, "the owner's password still works")
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: prefix})
	require.NoError(t, err)
	u, err = f.store.Users().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	assert.Equal(t, legacy, u.PasswordHash, "nor from exactly 72 bytes: the owner's may be longer")

	out := logs.String()
	assert.Equal(t, 1, strings.Count(out, "reads only the first 72 bytes"), "warned once per user:\n%s", out)
	assert.Contains(t, out, "user_id=id-alice")
	for _, secret := range []string{prefix, legacy} {
		assert.NotContains(t, out, secret)
	}

	// A short password determines the plain hash: that one is rehashed.
	raw, err = bcrypt.GenerateFromPassword([]byte("short legacy"), bcrypt.MinCost)
	require.NoError(t, err)
	f.addUser(t, "bob", "x", func(u *user.User) { u.PasswordHash = string(raw) })
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "bob", Password: "short legacy"})
	require.NoError(t, err)
	b, err := f.store.Users().GetUserByUsername(ctx, "bob")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(b.PasswordHash, user.BcryptPrefix), b.PasswordHash)
}

// A hasher that ignores RehashUnsafe (a host's own) still cannot make the
// manager rehash from an ambiguous password.
func TestLegacyHashNotRehashedEvenIfTheHasherAsks(t *testing.T) {
	f := newFixture(t, session.Config{Hasher: eagerHasher{testHasher(t)}})
	prefix := strings.Repeat("q", 72)
	raw, err := bcrypt.GenerateFromPassword([]byte(prefix), bcrypt.MinCost)
	require.NoError(t, err)
	f.addUser(t, "carol", "x", func(u *user.User) { u.PasswordHash = string(raw) })
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "carol", Password: prefix + "!"})
	require.NoError(t, err)
	u, err := f.store.Users().GetUserByUsername(ctx, "carol")
	require.NoError(t, err)
	assert.Equal(t, string(raw), u.PasswordHash)
}

// eagerHasher asks for a rehash after every successful verification.
type eagerHasher struct{ user.Hasher }

func (h eagerHasher) Verify(enc, pw string) (bool, bool, error) {
	ok, _, err := h.Hasher.Verify(enc, pw)
	return ok, ok, err
}

package cachestore_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

var ctx = context.Background()

// fixture is a memory store with one user and one live session.
type fixture struct {
	base *memstore.Store
	u    user.User
	hash string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	base := memstore.New(memstore.Config{})
	u, err := base.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme", Roles: []string{"viewer"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := base.Roles().PutRole(ctx, permissions.Role{Code: "viewer"}); err != nil {
		t.Fatal(err)
	}
	f := &fixture{base: base, u: u, hash: "h1"}
	f.session(t, f.hash)
	return f
}

func (f *fixture) session(t *testing.T, hash string) {
	t.Helper()
	now := time.Now()
	if err := f.base.Sessions().CreateSession(ctx, storage.Session{
		IDHash: hash, UserID: f.u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
}

func newCache(t *testing.T, base storage.Store, cfg cachestore.Config) *cachestore.Store {
	t.Helper()
	c, err := cachestore.New(base, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	return c
}

func read(t *testing.T, c *cachestore.Store, hash string) storage.AuthRead {
	t.Helper()
	a, err := c.ReadAuth(ctx, hash)
	if err != nil {
		t.Fatalf("ReadAuth(%s): %v", hash, err)
	}
	return a
}

func TestHitAfterFirstRead(t *testing.T) {
	f := newFixture(t)
	c := newCache(t, f.base, cachestore.Config{})
	first := read(t, c, f.hash)
	second := read(t, c, f.hash)
	st := c.Stats()
	if st.Misses != 1 || st.Hits != 1 || !st.Listening || st.Sessions != 1 || st.Users != 1 {
		t.Fatalf("stats after two reads: %+v", st)
	}
	if second.User.ID != first.User.ID || second.Session.IDHash != f.hash || !second.UserFound || second.Versions != first.Versions {
		t.Fatalf("hit differs from the read: %+v vs %+v", second, first)
	}
	// The caller may change what it got without changing what is kept.
	second.User.Roles[0] = "admin"
	if third := read(t, c, f.hash); third.User.Roles[0] != "viewer" {
		t.Fatalf("a caller's change reached the cache: %v", third.User.Roles)
	}
}

// Two caches on one store stand for two processes sharing it: each learns
// of the other's writes through the store's feed only.
func TestChangesThroughAnotherProcess(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, other *cachestore.Store, f *fixture)
		check  func(t *testing.T, a storage.AuthRead, before storage.AuthRead)
	}{
		{"revoke", func(t *testing.T, o *cachestore.Store, f *fixture) {
			must(t, o.Sessions().RevokeSession(ctx, f.hash))
		}, func(t *testing.T, a, _ storage.AuthRead) {
			if !a.Session.Revoked {
				t.Fatal("a session revoked elsewhere is served as live")
			}
		}},
		{"block", func(t *testing.T, o *cachestore.Store, f *fixture) {
			u, err := o.Users().GetUser(ctx, f.u.ID)
			must(t, err)
			u.Blocked = true
			_, err = o.Users().UpdateUser(ctx, u)
			must(t, err)
		}, func(t *testing.T, a, _ storage.AuthRead) {
			if !a.User.Blocked {
				t.Fatal("a user blocked elsewhere is served unblocked")
			}
		}},
		{"delete user", func(t *testing.T, o *cachestore.Store, f *fixture) {
			must(t, o.Users().DeleteUser(ctx, f.u.ID))
		}, func(t *testing.T, a, _ storage.AuthRead) {
			if a.UserFound {
				t.Fatal("a user deleted elsewhere is served")
			}
		}},
		{"role", func(t *testing.T, o *cachestore.Store, f *fixture) {
			must(t, o.Roles().PutRole(ctx, permissions.Role{Code: "editor"}))
		}, func(t *testing.T, a, before storage.AuthRead) {
			if a.Versions.Policy == before.Versions.Policy {
				t.Fatal("a role change elsewhere left the policy version")
			}
		}},
		{"parameter", func(t *testing.T, o *cachestore.Store, f *fixture) {
			must(t, o.Parameters().PutParameter(ctx, storage.Parameter{Code: "p", Value: "1"}))
		}, func(t *testing.T, a, before storage.AuthRead) {
			if a.Versions.Parameters == before.Versions.Parameters {
				t.Fatal("a parameter change elsewhere left the parameters version")
			}
		}},
		{"schema", func(t *testing.T, o *cachestore.Store, f *fixture) {
			must(t, o.Parameters().PutSchema(ctx, storage.Schema{}))
		}, func(t *testing.T, a, before storage.AuthRead) {
			if a.Versions.Parameters == before.Versions.Parameters {
				t.Fatal("a schema change elsewhere left the parameters version")
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			here := newCache(t, f.base, cachestore.Config{})
			other := newCache(t, f.base, cachestore.Config{})
			before := read(t, here, f.hash)
			read(t, here, f.hash) // now kept
			if here.Stats().Hits != 1 {
				t.Fatal("not kept")
			}
			tc.change(t, other, f)
			a, err := here.ReadAuth(ctx, f.hash)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				t.Fatal(err)
			}
			tc.check(t, a, before)
		})
	}
}

// The same writes made through the cache itself drop what it keeps
// before they return, without the feed.
func TestOwnWritesDropWithoutTheFeed(t *testing.T) {
	f := newFixture(t)
	c := newCache(t, noFeedAfterStart{f.base, &atomic.Bool{}}, cachestore.Config{})
	read(t, c, f.hash)
	must(t, c.Sessions().RevokeSession(ctx, f.hash))
	if a := read(t, c, f.hash); !a.Session.Revoked {
		t.Fatal("own revoke not seen")
	}
	f.session(t, "h2")
	read(t, c, "h2")
	u := read(t, c, "h2").User
	u.SessionEpoch++
	_, err := c.Users().UpdateUser(ctx, u)
	must(t, err)
	if a := read(t, c, "h2"); a.User.SessionEpoch != u.SessionEpoch {
		t.Fatal("own epoch bump not seen")
	}
}

// noFeedAfterStart is a store whose feed reports Subscribed and then
// nothing: only the cache's own drops act.
type noFeedAfterStart struct {
	*memstore.Store
	_ *atomic.Bool
}

func (n noFeedAfterStart) WatchChanges(h storage.ChangeHandler) (func(), error) {
	h.Subscribed()
	return func() {}, nil
}

// controlled is a store whose feed the test drives, and whose ReadAuth
// can be held in the middle of a read.
type controlled struct {
	*memstore.Store
	mu sync.Mutex
	h  storage.ChangeHandler
	// holdNext makes the next ReadAuth, once it has its answer, send a
	// channel on hold and wait until it is closed.
	holdNext atomic.Bool
	hold     chan chan struct{}
}

func (c *controlled) WatchChanges(h storage.ChangeHandler) (func(), error) {
	c.mu.Lock()
	c.h = h
	c.mu.Unlock()
	return func() {}, nil
}

func (c *controlled) handler() storage.ChangeHandler {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.h
}

func (c *controlled) ReadAuth(ctx context.Context, idHash string) (storage.AuthRead, error) {
	a, err := c.Store.ReadAuth(ctx, idHash)
	if !c.holdNext.Swap(false) {
		return a, err
	}
	release := make(chan struct{})
	c.hold <- release
	<-release
	return a, err
}

func TestNothingServedOrKeptUntilSubscribed(t *testing.T) {
	f := newFixture(t)
	b := &controlled{Store: f.base, hold: make(chan chan struct{})}
	c := newCache(t, b, cachestore.Config{})
	read(t, c, f.hash)
	read(t, c, f.hash)
	if st := c.Stats(); st.Hits != 0 || st.Sessions != 0 || st.Listening {
		t.Fatalf("served or kept before the feed listened: %+v", st)
	}
	b.handler().Subscribed()
	read(t, c, f.hash)
	read(t, c, f.hash)
	if st := c.Stats(); st.Hits != 1 {
		t.Fatalf("no hit once listening: %+v", st)
	}
}

func TestFeedLossDropsEverything(t *testing.T) {
	f := newFixture(t)
	b := &controlled{Store: f.base, hold: make(chan chan struct{})}
	c := newCache(t, b, cachestore.Config{})
	b.handler().Subscribed()
	read(t, c, f.hash)
	// A revoke by another process while the feed is down: its message is
	// never delivered.
	b.handler().Lost(errors.New("connection reset"))
	must(t, f.base.Sessions().RevokeSession(ctx, f.hash))
	if a := read(t, c, f.hash); !a.Session.Revoked {
		t.Fatal("stale accept while the feed was lost")
	}
	if st := c.Stats(); st.Sessions != 0 || st.Losses != 1 || st.Listening {
		t.Fatalf("kept while lost: %+v", st)
	}
	// Kept while lost would be stale after recovery: nothing survives
	// Subscribed either.
	f.session(t, "h2")
	b.handler().Subscribed()
	read(t, c, "h2")
	if a := read(t, c, "h2"); a.Session.Revoked || c.Stats().Hits != 1 {
		t.Fatalf("no recovery after Subscribed: %+v", c.Stats())
	}
}

// A read in flight when a change arrives must not put back what it read
// before the change.
func TestReadInFlightKeepsNothingAfterAChange(t *testing.T) {
	f := newFixture(t)
	b := &controlled{Store: f.base, hold: make(chan chan struct{})}
	c := newCache(t, b, cachestore.Config{})
	b.handler().Subscribed()
	done := make(chan storage.AuthRead)
	b.holdNext.Store(true)
	go func() {
		a, _ := c.ReadAuth(ctx, f.hash)
		done <- a
	}()
	release := <-b.hold // the read has its (live) answer and waits
	must(t, f.base.Sessions().RevokeSession(ctx, f.hash))
	b.handler().Changed(storage.Change{Kind: storage.ChangeSession, Key: f.hash})
	close(release)
	if a := <-done; a.Session.Revoked {
		t.Fatal("the held read saw the revoke: the test does not test the race")
	}
	if a := read(t, c, f.hash); !a.Session.Revoked {
		t.Fatal("the read that overlapped the revoke kept the live session")
	}
}

func TestTTL(t *testing.T) {
	f := newFixture(t)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	c := newCache(t, noFeedAfterStart{f.base, nil}, cachestore.Config{
		TTL: time.Second, Now: func() time.Time { return time.Unix(0, now.Load()) },
	})
	read(t, c, f.hash)
	read(t, c, f.hash)
	now.Add(int64(1100 * time.Millisecond))
	read(t, c, f.hash)
	if st := c.Stats(); st.Hits != 1 || st.Misses != 2 {
		t.Fatalf("an entry older than TTL was served: %+v", st)
	}
	// The read after expiry kept a fresh copy: hits again.
	read(t, c, f.hash)
	if st := c.Stats(); st.Hits != 2 {
		t.Fatalf("no hit after an entry aged out and was read again: %+v", st)
	}
}

func TestMaxEntries(t *testing.T) {
	f := newFixture(t)
	c := newCache(t, f.base, cachestore.Config{MaxEntries: 64})
	for i := range 1000 {
		h := "s" + string(rune('a'+i%26)) + time.Duration(i).String()
		f.session(t, h)
		read(t, c, h)
	}
	if n := c.Stats().Sessions; n > 64 || n == 0 {
		t.Fatalf("%d sessions kept, bound 64", n)
	}
}

func TestNewRefuses(t *testing.T) {
	f := newFixture(t)
	if _, err := cachestore.New(struct{ storage.Store }{f.base}, cachestore.Config{}); !errors.Is(err, cachestore.ErrNoFeed) {
		t.Fatalf("a store without a feed: %v", err)
	}
	if _, err := cachestore.New(unsupportedFeed{f.base}, cachestore.Config{}); !errors.Is(err, cachestore.ErrNoFeed) {
		t.Fatalf("a feed that cannot: %v", err)
	}
	for _, cfg := range []cachestore.Config{{MaxEntries: -1}, {TTL: -time.Second}} {
		if _, err := cachestore.New(f.base, cfg); err == nil {
			t.Fatalf("%+v accepted", cfg)
		}
	}
}

type unsupportedFeed struct{ *memstore.Store }

func (unsupportedFeed) WatchChanges(storage.ChangeHandler) (func(), error) {
	return nil, errors.ErrUnsupported
}

// Revokes on one cache while readers hammer another: once RevokeSession
// has returned, no read that starts later sees the session live.
func TestRaceRevokeWhileServing(t *testing.T) {
	f := newFixture(t)
	here := newCache(t, f.base, cachestore.Config{})
	other := newCache(t, f.base, cachestore.Config{})
	const n = 200
	hashes := make([]string, n)
	for i := range hashes {
		hashes[i] = "r" + time.Duration(i).String()
		f.session(t, hashes[i])
	}
	for _, h := range hashes {
		read(t, here, h) // kept
	}
	var revoked [n]atomic.Bool
	stopReaders := make(chan struct{})
	var wg sync.WaitGroup
	var stale atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := w; ; i = (i + 7) % n {
				select {
				case <-stopReaders:
					return
				default:
				}
				was := revoked[i].Load()
				a, err := here.ReadAuth(ctx, hashes[i])
				if err == nil && was && !a.Session.Revoked {
					stale.Add(1)
				}
			}
		})
	}
	for i := range hashes {
		must(t, other.Sessions().RevokeSession(ctx, hashes[i]))
		revoked[i].Store(true)
		time.Sleep(50 * time.Microsecond)
	}
	close(stopReaders)
	wg.Wait()
	if stale.Load() != 0 {
		t.Fatalf("%d reads served a session revoked before they began", stale.Load())
	}
	if here.Stats().Hits == 0 {
		t.Fatal("no hits: the race was not exercised")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// newControlled returns a cache over f's store whose feed the test drives,
// listening.
func newControlled(t *testing.T, f *fixture) (*cachestore.Store, *controlled) {
	t.Helper()
	b := &controlled{Store: f.base, hold: make(chan chan struct{})}
	c := newCache(t, b, cachestore.Config{})
	b.handler().Subscribed()
	return c, b
}

// With the user and the versions already kept, only the sessions table's
// own check stands between a read in flight and a revoke.
func TestReadInFlightOfANewSessionKeepsNothingAfterItsRevoke(t *testing.T) {
	f := newFixture(t)
	c, b := newControlled(t, f)
	read(t, c, f.hash)
	read(t, c, f.hash) // user and versions kept
	f.session(t, "h2")
	done := make(chan storage.AuthRead)
	b.holdNext.Store(true)
	go func() {
		a, _ := c.ReadAuth(ctx, "h2")
		done <- a
	}()
	release := <-b.hold
	must(t, f.base.Sessions().RevokeSession(ctx, "h2"))
	b.handler().Changed(storage.Change{Kind: storage.ChangeSession, Key: "h2"})
	close(release)
	<-done
	if a := read(t, c, "h2"); !a.Session.Revoked {
		t.Fatal("the read that overlapped the revoke kept the live session")
	}
}

// A read that began while the feed was lost may hold what a missed
// message changed: it must not be kept once the feed listens again.
func TestReadDuringAnOutageKeepsNothingAfterSubscribed(t *testing.T) {
	f := newFixture(t)
	c, b := newControlled(t, f)
	b.handler().Lost(errors.New("reset"))
	done := make(chan struct{})
	b.holdNext.Store(true)
	go func() {
		_, _ = c.ReadAuth(ctx, f.hash)
		close(done)
	}()
	release := <-b.hold
	must(t, f.base.Sessions().RevokeSession(ctx, f.hash)) // its message is lost
	b.handler().Subscribed()
	close(release)
	<-done
	if a := read(t, c, f.hash); !a.Session.Revoked {
		t.Fatal("a read from the outage was kept and served after Subscribed")
	}
}

func TestStopServesNothingFromMemory(t *testing.T) {
	f := newFixture(t)
	c, _ := newControlled(t, f)
	read(t, c, f.hash)
	c.Stop()
	must(t, f.base.Sessions().RevokeSession(ctx, f.hash)) // no message: the feed is stopped
	if a := read(t, c, f.hash); !a.Session.Revoked {
		t.Fatal("served from memory after Stop")
	}
	if st := c.Stats(); st.Listening || st.Sessions != 0 {
		t.Fatalf("after Stop: %+v", st)
	}
}

func TestSweepThroughTheCacheDropsWhatItDeletes(t *testing.T) {
	f := newFixture(t)
	c, _ := newControlled(t, f)
	read(t, c, f.hash)
	n, err := c.Sessions().DeleteExpiredSessions(ctx, time.Now().Add(2*time.Hour))
	must(t, err)
	if n != 1 {
		t.Fatalf("swept %d sessions, want 1", n)
	}
	if _, err := c.ReadAuth(ctx, f.hash); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a swept session is served: %v", err)
	}
}

func TestFailedTouchDropsTheSession(t *testing.T) {
	f := newFixture(t)
	c, _ := newControlled(t, f)
	read(t, c, f.hash)
	_, err := f.base.Sessions().DeleteExpiredSessions(ctx, time.Now().Add(2*time.Hour)) // behind the cache's back
	must(t, err)
	if err := c.Sessions().TouchSession(ctx, f.hash, time.Now()); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("touch of a deleted session: %v", err)
	}
	if _, err := c.ReadAuth(ctx, f.hash); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a session whose touch failed is served: %v", err)
	}
}

func TestChangeAllDropsEverything(t *testing.T) {
	f := newFixture(t)
	c, b := newControlled(t, f)
	read(t, c, f.hash)
	b.handler().Changed(storage.Change{Kind: storage.ChangeAll})
	if st := c.Stats(); st.Sessions != 0 || st.Users != 0 {
		t.Fatalf("kept after ChangeAll: %+v", st)
	}
}

func TestClockGoingBackAgesEntriesOut(t *testing.T) {
	f := newFixture(t)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	b := &controlled{Store: f.base, hold: make(chan chan struct{})}
	c := newCache(t, b, cachestore.Config{Now: func() time.Time { return time.Unix(0, now.Load()) }})
	b.handler().Subscribed()
	read(t, c, f.hash)
	now.Add(-int64(time.Hour))
	read(t, c, f.hash)
	if st := c.Stats(); st.Hits != 0 {
		t.Fatalf("an entry read in the clock's future was served: %+v", st)
	}
}

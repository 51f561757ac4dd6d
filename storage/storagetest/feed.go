package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// feedGroup checks the optional capability storage.ChangeFeed: every
// write that ends or narrows access is reported to a watcher. A store that
// does not implement it, or whose WatchChanges says errors.ErrUnsupported,
// passes without being watched.
func feedGroup() group { return group{"feed", feedChecks()} }

// feedWait bounds how long a check waits for the feed.
const feedWait = 10 * time.Second

// recorder is a storage.ChangeHandler that keeps what it is told.
type recorder struct {
	mu         sync.Mutex
	changes    []storage.Change
	subscribed int
	wake       chan struct{}
}

func (r *recorder) note(fn func()) {
	r.mu.Lock()
	fn()
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *recorder) Changed(c storage.Change) { r.note(func() { r.changes = append(r.changes, c) }) }
func (r *recorder) Subscribed()              { r.note(func() { r.subscribed++ }) }
func (r *recorder) Lost(error)               {}

// await waits until cond holds over what r was told.
func (r *recorder) await(t reporter, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(feedWait)
	for {
		r.mu.Lock()
		ok := cond()
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.wake:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			fatal(t, fmt.Sprintf("the feed did not report %s within %s", what, feedWait), nil)
			return
		}
	}
}

// watch subscribes a recorder to e's store, or returns false when it has
// no feed.
func watch(t reporter, e *env) (*recorder, func(), bool) {
	t.Helper()
	f, ok := e.store.(storage.ChangeFeed)
	if !ok {
		return nil, nil, false
	}
	r := &recorder{wake: make(chan struct{}, 1)}
	stop, err := f.WatchChanges(r)
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, nil, false
	}
	noErr(t, err, "WatchChanges")
	r.await(t, "Subscribed", func() bool { return r.subscribed > 0 })
	return r, stop, true
}

// expect waits for the change c.
func (r *recorder) expect(t reporter, c storage.Change, after string) {
	t.Helper()
	r.await(t, fmt.Sprintf("%s %q after %s", c.Kind, c.Key, after), func() bool {
		for _, got := range r.changes {
			if got == c {
				return true
			}
		}
		return false
	})
}

func feedChecks() []check {
	type change struct {
		name  string
		write func(t reporter, e *env, s storage.Session)
		want  func(s storage.Session) storage.Change
	}
	user := func(s storage.Session) storage.Change { return storage.Change{Kind: storage.ChangeUser, Key: s.UserID} }
	policy := func(storage.Session) storage.Change { return storage.Change{Kind: storage.ChangePolicy} }
	params := func(storage.Session) storage.Change { return storage.Change{Kind: storage.ChangeParameters} }
	changes := []change{
		{"RevokeSession", func(t reporter, e *env, s storage.Session) {
			noErr(t, e.Sessions().RevokeSession(ctx(t), s.IDHash), "RevokeSession")
		}, func(s storage.Session) storage.Change {
			return storage.Change{Kind: storage.ChangeSession, Key: s.IDHash}
		}},
		{"UpdateUser (a session epoch bump)", func(t reporter, e *env, s storage.Session) {
			u, err := e.Users().GetUser(ctx(t), s.UserID)
			noErr(t, err, "GetUser")
			u.SessionEpoch++
			_, err = e.Users().UpdateUser(ctx(t), u)
			noErr(t, err, "UpdateUser")
		}, user},
		{"UpdateUser (a block)", func(t reporter, e *env, s storage.Session) {
			u, err := e.Users().GetUser(ctx(t), s.UserID)
			noErr(t, err, "GetUser")
			u.Blocked = true
			_, err = e.Users().UpdateUser(ctx(t), u)
			noErr(t, err, "UpdateUser")
		}, user},
		{"DeleteUser", func(t reporter, e *env, s storage.Session) {
			noErr(t, e.Users().DeleteUser(ctx(t), s.UserID), "DeleteUser")
		}, user},
		{"PutRole", func(t reporter, e *env, _ storage.Session) {
			noErr(t, e.Roles().PutRole(ctx(t), newRole("editor")), "PutRole")
		}, policy},
		{"DeleteRole", func(t reporter, e *env, _ storage.Session) {
			noErr(t, e.Roles().DeleteRole(ctx(t), "viewer"), "DeleteRole")
		}, policy},
		{"PutParameter", func(t reporter, e *env, _ storage.Session) {
			noErr(t, e.Parameters().PutParameter(ctx(t), storage.Parameter{Code: "p1", Title: "P", Value: "1"}), "PutParameter")
		}, params},
		{"DeleteParameter", func(t reporter, e *env, _ storage.Session) {
			noErr(t, e.Parameters().PutParameter(ctx(t), storage.Parameter{Code: "p1", Title: "P", Value: "1"}), "PutParameter")
			noErr(t, e.Parameters().DeleteParameter(ctx(t), "p1"), "DeleteParameter")
		}, params},
		{"PutSchema", func(t reporter, e *env, _ storage.Session) {
			noErr(t, e.Parameters().PutSchema(ctx(t), storage.Schema{}), "PutSchema")
		}, params},
	}
	changes = append(changes,
		change{"DeleteExpiredSessions of a session still live by the store's clock", func(t reporter, e *env, s storage.Session) {
			_, err := e.Sessions().DeleteExpiredSessions(ctx(t), s.ExpiresAt.Add(time.Second))
			noErr(t, err, "DeleteExpiredSessions")
		}, func(s storage.Session) storage.Change {
			return storage.Change{Kind: storage.ChangeSession, Key: s.IDHash}
		}},
		change{"a revoke after a quiet spell longer than a health check's interval", func(t reporter, e *env, s storage.Session) {
			time.Sleep(1500 * time.Millisecond)
			noErr(t, e.Sessions().RevokeSession(ctx(t), s.IDHash), "RevokeSession")
		}, func(s storage.Session) storage.Change {
			return storage.Change{Kind: storage.ChangeSession, Key: s.IDHash}
		}},
	)
	var out []check
	for _, c := range changes {
		out = append(out, check{"a store with a change feed should report " + c.name, func(t reporter, e *env) {
			s := authFixture(t, e)
			r, stop, ok := watch(t, e)
			if !ok {
				return
			}
			defer stop()
			c.write(t, e, s)
			r.expect(t, c.want(s), c.name)
		}})
	}
	return append(out, check{"a store with a change feed should stop reporting once stopped", func(t reporter, e *env) {
		f, ok := e.store.(storage.ChangeFeed)
		if !ok {
			return
		}
		s := authFixture(t, e)
		r := &recorder{wake: make(chan struct{}, 1)}
		stop, err := f.WatchChanges(r)
		if errors.Is(err, errors.ErrUnsupported) {
			return
		}
		noErr(t, err, "WatchChanges")
		r.await(t, "Subscribed", func() bool { return r.subscribed > 0 })
		stop()
		r.mu.Lock()
		before := len(r.changes)
		r.mu.Unlock()
		noErr(t, e.Sessions().RevokeSession(ctx(t), s.IDHash), "RevokeSession")
		// A second watcher sees the revoke, so it was published; the
		// stopped one must not have been told.
		r2, stop2, _ := watch(t, e)
		defer stop2()
		noErr(t, e.Roles().PutRole(ctx(t), newRole("after-stop")), "PutRole")
		r2.expect(t, storage.Change{Kind: storage.ChangePolicy}, "PutRole")
		r.mu.Lock()
		after := len(r.changes)
		r.mu.Unlock()
		isTrue(t, after == before, "a stopped watcher was told of a change")
	}})
}

package session

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/storage"
)

// Counter keys. The username (folded: see storage.FoldUsername) or address
// follows the prefix; usernames are \w+ and addresses are parsed IPs, so
// keys cannot collide across kinds.
const (
	keyFail = "gatehouse:login:fail:" // failures in the window
	keyTry  = "gatehouse:login:try:"  // attempts being checked right now
	keyLock = "gatehouse:login:lock:" // present while locked; expiry = end
	keyGate = "gatehouse:login:gate:" // one slot: one attempt per wait
)

// tryTTL bounds how long an in-flight attempt counts if its process dies
// before it is taken back.
const tryTTL = 2 * time.Minute

// attempt is one throttled password check: the counters it reserved before
// hashing, so that concurrent attempts cannot exceed the limit.
type attempt struct {
	m      *Manager
	holder string
	keys   []reserved
}

type reserved struct {
	limit Limit
	name  string // "user:<username>" or "addr:<ip>"
	user  bool
	gated bool // this attempt holds the gate slot
}

// reserve checks the locks of username and addr and counts this attempt as
// in flight. Below the limit, an attempt passes while failures plus
// attempts in flight (itself included) stay within MaxFailures: failures are
// counted before the in-flight count is taken back, so no interleaving lets
// more than MaxFailures checks run. Beyond the limit, once a lock has
// passed, the single gate slot lets one attempt through per wait. A locked
// key answers a *LockedError, touching nothing and hashing nothing; too many
// attempts in flight get one of a second.
func (m *Manager) reserve(ctx context.Context, holder, username, addr string) (*attempt, error) {
	a := &attempt{m: m, holder: holder}
	try := func(limit Limit, name string, isUser bool) error {
		if !limit.enabled() {
			return nil
		}
		c := m.store.Counters()
		key := throttleKey(isUser)
		_, until, err := c.Counter(ctx, keyLock+name)
		switch {
		case err == nil:
			return &LockedError{RetryAfter: atLeastSecond(until.Sub(m.cfg.Now())), key: key}
		case !errors.Is(err, storage.ErrNotFound):
			return storeErr("read lockout", err)
		}
		inFlight, err := c.Increment(ctx, keyTry+name, 1, tryTTL)
		if err != nil {
			return storeErr("count attempt", err)
		}
		r := reserved{limit: limit, name: name, user: isUser}
		a.keys = append(a.keys, r)
		failures, _, err := c.Counter(ctx, keyFail+name)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return storeErr("read failures", err)
		}
		max := int64(limit.MaxFailures)
		switch {
		case failures >= max:
			wait := limit.wait(failures + 1)
			ok, err := c.AcquireSlot(ctx, keyGate+name, holder, 1, wait)
			if err != nil {
				return storeErr("take attempt slot", err)
			}
			if !ok {
				return &LockedError{RetryAfter: wait, key: key}
			}
			a.keys[len(a.keys)-1].gated = true
			if _, err := c.Increment(ctx, keyLock+name, 1, wait); err != nil {
				return storeErr("lock", err)
			}
		case failures+inFlight > max:
			return &LockedError{RetryAfter: time.Second, key: key}
		}
		return nil
	}
	// Login finds users up to case, so the throttle counts every spelling
	// of a name as one: "Alice" must not get a fresh count beside "alice".
	err := try(m.cfg.Throttle.PerUsername, "user:"+storage.FoldUsername(username), true)
	if err == nil && addr != "" {
		err = try(m.cfg.Throttle.PerAddress, "addr:"+addr, false)
	}
	if err != nil {
		a.undo(ctx)
		return nil, err
	}
	return a, nil
}

// undo gives back what reserve took, after a refusal that checked no
// password. Best effort: a failure leaves counts that expire.
func (a *attempt) undo(ctx context.Context) {
	c := a.m.store.Counters()
	for _, r := range a.keys {
		_, _ = c.Increment(ctx, keyTry+r.name, -1, tryTTL)
		if r.gated {
			_ = c.ReleaseSlot(ctx, keyGate+r.name, a.holder)
			_ = c.ResetCounter(ctx, keyLock+r.name)
		}
	}
}

// fail records a failed check: the failure is counted (before the attempt
// leaves the in-flight count), and from the MaxFailures-th failure of a
// window on the key is locked at once for the grown wait.
func (a *attempt) fail(ctx context.Context) error {
	c := a.m.store.Counters()
	var errs []error
	for _, r := range a.keys {
		n, err := c.Increment(ctx, keyFail+r.name, 1, r.limit.ResetAfter)
		if err != nil {
			errs = append(errs, err)
			continue // the attempt stays in flight until tryTTL: stricter
		}
		if _, err := c.Increment(ctx, keyTry+r.name, -1, tryTTL); err != nil {
			errs = append(errs, err)
		}
		if n < int64(r.limit.MaxFailures) {
			continue
		}
		wait := r.limit.wait(n)
		if o := a.m.cfg.Observer; o != nil {
			o.Lockout(ctx, observe.Lockout{Key: throttleKey(r.user), Failures: n, Wait: wait})
		}
		if r.gated {
			continue // locked by reserve already
		}
		if _, err := c.Increment(ctx, keyLock+r.name, 1, wait); err != nil {
			errs = append(errs, err)
		}
		if _, err := c.AcquireSlot(ctx, keyGate+r.name, a.holder, 1, wait); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return storeErr("count failure", err)
	}
	return nil
}

// succeed records a successful check: the username's failures and lock are
// cleared; the address's are left alone, so that an attacker's own account
// cannot clear the failures of the address.
func (a *attempt) succeed(ctx context.Context) {
	c := a.m.store.Counters()
	for _, r := range a.keys {
		_, err := c.Increment(ctx, keyTry+r.name, -1, tryTTL)
		if r.user {
			err = errors.Join(err, c.ResetCounter(ctx, keyFail+r.name), c.ResetCounter(ctx, keyLock+r.name))
		}
		if r.gated {
			err = errors.Join(err, c.ReleaseSlot(ctx, keyGate+r.name, a.holder))
		}
		if err != nil {
			a.m.cfg.Logger.WarnContext(ctx, "session: reset login throttle", "err", err)
		}
	}
}

func throttleKey(isUser bool) observe.ThrottleKey {
	if isUser {
		return observe.ThrottleUsername
	}
	return observe.ThrottleAddress
}

func atLeastSecond(d time.Duration) time.Duration {
	return max(d, time.Second)
}

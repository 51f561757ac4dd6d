package quota

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Subject is whose quota is charged.
type Subject struct {
	// UserID identifies the user in counter keys; use user.User.ID, which
	// never changes. Required.
	UserID string
	// Location is the user's time zone, where days and windows are cut;
	// nil means UTC.
	Location *time.Location
	// Quotas are the user's effective quotas (permissions.Set.Quotas).
	Quotas []permissions.Quota
	// Admin users without a quota for a service and method group are not
	// limited there; with one, they are held to it.
	Admin bool
}

// NewSubject returns the subject for u and the permission set compiled for
// u. A time zone that does not load is an error, since days would be cut
// wrongly.
func NewSubject(u user.User, set *permissions.Set) (Subject, error) {
	loc := time.UTC
	if u.Timezone != "" {
		var err error
		if loc, err = time.LoadLocation(u.Timezone); err != nil {
			return Subject{}, fmt.Errorf("quota: user %s: time zone %q: %w", u.Username, u.Timezone, err)
		}
	}
	s := Subject{UserID: u.ID, Location: loc}
	if set != nil {
		s.Quotas, s.Admin = set.Quotas(), set.Admin()
	}
	return s, nil
}

// Quota returns the subject's quota for service and methodGroup.
func (s Subject) Quota(service, methodGroup string) (permissions.Quota, bool) {
	for _, q := range s.Quotas {
		if q.Service == service && q.MethodGroup == methodGroup {
			return q, true
		}
	}
	return permissions.Quota{}, false
}

// Config holds an Enforcer's knobs; its zero value is usable.
type Config struct {
	// Now is the clock; nil means time.Now. It should agree with the
	// store's clock, which expires the counters.
	Now func() time.Time
	// WindowDays is the length of a date window in days; 0 means 30.
	WindowDays int
	// Margin is added to a counter's life past the end of its day or
	// window, so that clock skew between instances never resets a counter
	// early. 0 means 1 hour.
	Margin time.Duration
	// SlotTTL is the longest an operation holds a concurrency slot when
	// its release never comes (a crashed process). 0 means 15 minutes.
	SlotTTL time.Duration
	// SlotRetryAfter is the Retry-After hint when every slot is taken.
	// 0 means 1 second.
	SlotRetryAfter time.Duration
	// ReleaseTimeout bounds the store calls of a release, which run
	// without the request's cancellation. 0 means 5 seconds.
	ReleaseTimeout time.Duration
	// NewHolder makes concurrency slot holder ids; nil means random UUIDs.
	NewHolder func() (string, error)
	// Observer is told of every refusal of Acquire (see
	// observe.QuotaRefusal): the limit exceeded, no quota, or the store
	// failing. Nil, the default, means none. gatehouse.Config.Observer
	// sets it.
	Observer observe.Observer
}

// Enforcer charges quotas. It is safe for concurrent use and keeps no state
// of its own: every count is in the store.
type Enforcer struct {
	counters storage.CounterStore
	cfg      Config
}

// New returns an Enforcer over counters.
func New(counters storage.CounterStore, cfg Config) (*Enforcer, error) {
	if counters == nil {
		return nil, errors.New("quota: nil counter store")
	}
	if cfg.WindowDays < 0 || cfg.Margin < 0 || cfg.SlotTTL < 0 || cfg.SlotRetryAfter < 0 || cfg.ReleaseTimeout < 0 {
		return nil, errors.New("quota: negative Config value")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WindowDays == 0 {
		cfg.WindowDays = 30
	}
	if cfg.Margin == 0 {
		cfg.Margin = time.Hour
	}
	if cfg.SlotTTL == 0 {
		cfg.SlotTTL = 15 * time.Minute
	}
	if cfg.SlotRetryAfter == 0 {
		cfg.SlotRetryAfter = time.Second
	}
	if cfg.ReleaseTimeout == 0 {
		cfg.ReleaseTimeout = 5 * time.Second
	}
	if cfg.NewHolder == nil {
		cfg.NewHolder = randid.UUID
	}
	return &Enforcer{counters: counters, cfg: cfg}, nil
}

// Release ends an acquired operation: it frees the concurrency slot. Calling
// it more than once does nothing.
type Release func()

// Acquire charges points to s for one operation of service and methodGroup,
// checking every limit of the package documentation, and returns the
// Release to call when the operation ends. On any error nothing stays
// charged and Release is a no-op: a refusal is an *ExceededError, a user
// without a quota ErrNoQuota, and a store failure is returned wrapped (deny).
// Config.Observer, when set, is told of every refusal but those of a
// caller's mistake (negative points, a subject without a user id).
func (e *Enforcer) Acquire(ctx context.Context, s Subject, service, methodGroup string, points int64) (Release, error) {
	release, err := e.acquire(ctx, s, service, methodGroup, points)
	if err != nil && e.cfg.Observer != nil {
		e.refused(ctx, service, methodGroup, err)
	}
	return release, err
}

// errNoSubject is Acquire's answer to a subject without a user id.
var errNoSubject = errors.New("quota: subject without a user id")

// refused tells Config.Observer of Acquire's refusal err.
func (e *Enforcer) refused(ctx context.Context, service, methodGroup string, err error) {
	r := observe.QuotaRefusal{Service: service, MethodGroup: methodGroup, Outcome: observe.QuotaUnavailable}
	var ee *ExceededError
	switch {
	case errors.Is(err, ErrInvalidPoints), errors.Is(err, errNoSubject):
		return // the caller's mistake, not a refusal of the user
	case errors.As(err, &ee):
		r.Outcome, r.Limit = observe.QuotaExceeded, ee.Limit
	case errors.Is(err, ErrNoQuota):
		r.Outcome = observe.QuotaNone
	}
	e.cfg.Observer.QuotaRefused(ctx, r)
}

func (e *Enforcer) acquire(ctx context.Context, s Subject, service, methodGroup string, points int64) (Release, error) {
	noop := func() {}
	if points < 0 {
		return noop, ErrInvalidPoints
	}
	if s.UserID == "" {
		return noop, errNoSubject
	}
	q, ok := s.Quota(service, methodGroup)
	if !ok {
		if s.Admin {
			return noop, nil
		}
		return noop, fmt.Errorf("%w: %s/%s", ErrNoQuota, service, methodGroup)
	}
	exceeded := func(limit string, max int64, retry time.Duration) error {
		return &ExceededError{Service: service, MethodGroup: methodGroup, Limit: limit, Max: max, RetryAfter: retry}
	}
	if q.PointsPerRequest > 0 && points > q.PointsPerRequest {
		return noop, exceeded(LimitPointsPerRequest, q.PointsPerRequest, 0)
	}

	var undo []func(context.Context) // run in reverse on failure
	rollback := func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.ReleaseTimeout)
		defer cancel()
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i](rctx)
		}
	}
	fail := func(err error) (Release, error) {
		rollback()
		return noop, err
	}

	if q.MaxConcurrentExecution > 0 {
		holder, err := e.cfg.NewHolder()
		if err != nil {
			return noop, fmt.Errorf("quota: holder id: %w", err)
		}
		key := e.key("slot", s.UserID, service, methodGroup, "")
		got, err := e.counters.AcquireSlot(ctx, key, holder, int(min(q.MaxConcurrentExecution, int64(^uint(0)>>1))), e.cfg.SlotTTL)
		if err != nil {
			return noop, fmt.Errorf("quota: acquire slot: %w", err)
		}
		if !got {
			return noop, exceeded(LimitMaxConcurrentExecution, q.MaxConcurrentExecution, e.cfg.SlotRetryAfter)
		}
		undo = append(undo, func(ctx context.Context) { _ = e.counters.ReleaseSlot(ctx, key, holder) })
	}

	now := e.cfg.Now()
	loc := s.Location
	if loc == nil {
		loc = time.UTC
	}
	local := now.In(loc)
	dayStart := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	dayEnd := dayStart.AddDate(0, 0, 1)
	window, windowEnd := e.window(dayStart)

	charges := []struct {
		limit, name, period string
		max                 int64
		end                 time.Time
	}{
		{LimitPointsPerDay, "day", dayStart.Format(time.DateOnly), q.PointsPerDay, dayEnd},
		{LimitPointsPerDateWindow, "window", strconv.FormatInt(window, 10) + "/" + strconv.Itoa(e.cfg.WindowDays), q.PointsPerDateWindow, windowEnd},
	}
	for _, c := range charges {
		if c.max <= 0 || points == 0 {
			continue
		}
		key := e.key(c.name, s.UserID, service, methodGroup, c.period)
		ttl := c.end.Sub(now) + e.cfg.Margin
		v, err := e.counters.Increment(ctx, key, points, ttl)
		if err != nil {
			// The increment may or may not have happened; a store that
			// failed cannot be trusted to undo it either. Charging is
			// the safe side.
			return fail(fmt.Errorf("quota: charge %s: %w", c.limit, err))
		}
		undo = append(undo, func(ctx context.Context) { _, _ = e.counters.Increment(ctx, key, -points, ttl) })
		if v > c.max {
			return fail(exceeded(c.limit, c.max, c.end.Sub(now)))
		}
	}

	slot := undo
	if q.MaxConcurrentExecution <= 0 {
		return noop, nil
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), e.cfg.ReleaseTimeout)
			defer cancel()
			slot[0](rctx)
		})
	}, nil
}

// window returns the number of the date window holding day (a local
// midnight) and the local midnight at which that window ends.
func (e *Enforcer) window(day time.Time) (int64, time.Time) {
	days := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400
	n := int64(e.cfg.WindowDays)
	w := days / n
	if days < 0 && days%n != 0 {
		w--
	}
	endDays := (w + 1) * n
	end := time.Unix(endDays*86400, 0).UTC()
	return w, time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, day.Location())
}

// key builds a counter key; every part is escaped so that no two
// combinations share a key.
func (e *Enforcer) key(kind, userID, service, group, period string) string {
	return "quota:" + kind + ":" + url.QueryEscape(userID) + ":" + url.QueryEscape(service) + ":" + url.QueryEscape(group) + ":" + period
}

package storagetest

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
)

// reporter is what a check reports to: the *testing.T of its subtest under
// [Run] and the other Run functions, or a collector under [Check]. Every
// check is written once, against a reporter, and serves both.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	// FailNow ends the check (or subtest) at once, as testing.T.FailNow.
	FailNow()
	// Context is cancelled when the check (or subtest) ends.
	Context() context.Context
}

// run runs f as a subtest of r named name, like testing.T.Run: a failure in
// f fails r too, and FailNow in f ends f only.
func run(r reporter, name string, f func(r reporter)) {
	switch r := r.(type) {
	case *testing.T:
		r.Run(name, func(t *testing.T) { f(t) })
	case *collector:
		r.run(name, f)
	default:
		panic(fmt.Sprintf("storagetest: subtest of a %T", r))
	}
}

// A CheckError is a check that a store failed, as [Check] and
// [CheckClocked] report it. It is the error form of a failed subtest
// named Concern/Check under [Run].
type CheckError struct {
	// Concern is the group the check belongs to: "users", "sessions", ...,
	// the concern of the Run function that runs it (RunUsers, RunSessions).
	Concern string
	// Check is the check's sentence: "a store should ...".
	Check string
	// Failures says what went wrong, in order. A failure in one of the
	// check's subtests starts with the subtest's name.
	Failures []string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("%s/%s: %s", e.Concern, e.Check, strings.Join(e.Failures, "\n"))
}

// collector is the reporter of one check under Check: it keeps the
// failures instead of reporting them to a *testing.T. Each check and each
// subtest runs in a goroutine of its own, so that FailNow can end it with
// runtime.Goexit, as testing does.
type collector struct {
	ctx  context.Context
	path string // the subtest's name below the check, "" for the check itself
	res  *result
}

// result is what one check and its subtests reported.
type result struct {
	mu       sync.Mutex
	failed   bool
	failures []string
}

func (c *collector) Helper() {}

func (c *collector) Context() context.Context { return c.ctx }

func (c *collector) Errorf(format string, args ...any) {
	c.fail(fmt.Sprintf(format, args...))
}

func (c *collector) FailNow() {
	c.res.mu.Lock()
	c.res.failed = true
	c.res.mu.Unlock()
	runtime.Goexit()
}

func (c *collector) fail(msg string) {
	if c.path != "" {
		msg = c.path + ": " + msg
	}
	c.res.mu.Lock()
	defer c.res.mu.Unlock()
	c.res.failed = true
	c.res.failures = append(c.res.failures, msg)
}

// do runs f in a goroutine of its own and waits for it to end, by
// returning, by FailNow or by a panic, which it reports as a failure.
func (c *collector) do(f func(r reporter)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				c.fail(fmt.Sprintf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		f(c)
	}()
	<-done
}

func (c *collector) run(name string, f func(r reporter)) {
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	path := name
	if c.path != "" {
		path = c.path + "/" + name
	}
	sub := &collector{ctx: ctx, path: path, res: c.res}
	sub.do(f)
}

// collect runs one check with a fresh environment from newEnv and returns
// its failures, or nil if it passed.
func collect(concern string, c check, newEnv func() *env) *CheckError {
	ctx, cancel := context.WithCancel(context.Background())
	col := &collector{ctx: ctx, res: &result{}}
	var e *env
	col.do(func(r reporter) {
		e = newEnv()
		notNil(r, e.subject, "newStore returned nil")
		c.fn(r, e)
	})
	cancel()
	if e != nil {
		e.close()
	}
	if !col.res.failed {
		return nil
	}
	failures := col.res.failures
	if len(failures) == 0 {
		failures = []string{"failed"}
	}
	return &CheckError{Concern: concern, Check: c.name, Failures: failures}
}

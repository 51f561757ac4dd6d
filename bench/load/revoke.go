package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// lagOptions configure the revocation-lag measurement.
type lagOptions struct {
	// kind is the shared store: "postgres" or "postgres+redis".
	kind string
	// trials is the number of logout-and-poll trials.
	trials int
	// conns is the number of load connections on each instance while the
	// trials run (zero: no load).
	conns int
	// cached turns on the cached mode on both instances.
	cached bool
	// timeout bounds one trial's polling.
	timeout time.Duration
	// settle is how long the load runs before the first trial.
	settle time.Duration
}

// lagResult is what the revocation-lag measurement found.
type lagResult struct {
	// lags run from the moment A's logout answered to B's first refusal
	// (401), one per trial, sorted.
	lags []time.Duration
	// accepts are B's latencies for the accepted GET /session of each
	// trial before the logout (one request under the same load), sorted.
	accepts []time.Duration
	// stale counts B's 200 answers after A's logout returned; staleTrials
	// the trials with at least one.
	stale, staleTrials int
	// logoutFailed counts the trials whose logout answered 503 (the
	// session may still be live), which were not polled; failures holds
	// their answers.
	logoutFailed int
	failures     []string
	// load is the background load's results, on A and on B.
	load [2]result
}

// measureLag runs two gatehouse instances, A and B, on two listeners over
// one shared store (two sqlstore.Open on the same schema, plus two
// redisstore clients on the same prefix for "postgres+redis"), puts
// cookie GET /session load on both, and then o.trials times: logs in on
// A, checks that B accepts the cookie, logs out on A (DELETE /session), and
// polls B until it refuses the cookie.
func measureLag(ctx context.Context, e *env, o lagOptions) (*lagResult, error) {
	dsn, err := e.schema(ctx)
	if err != nil {
		return nil, err
	}
	var prefix string
	if o.kind == "postgres+redis" {
		if prefix, err = e.redisPrefix(); err != nil {
			return nil, err
		}
	}
	var gopt gatehouseOptions
	if o.cached {
		gopt.configure = withCache
	}
	var addrs [2]string
	var cookieName string
	for i := range addrs {
		s, err := e.openShared(ctx, o.kind, dsn, prefix)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			if err := seed(ctx, s); err != nil {
				return nil, err
			}
		}
		g, addr, err := e.newGatehouse(s, gopt)
		if err != nil {
			return nil, err
		}
		addrs[i], cookieName = addr, g.CookieName()
	}
	a, b := addrs[0], addrs[1]

	res := &lagResult{}
	var (
		stop atomic.Bool
		wg   sync.WaitGroup
		errs [2]error
	)
	if o.conns > 0 {
		// the load: a session of its own, served by both instances
		cred, err := login(ctx, a, cookieName)
		if err != nil {
			return nil, err
		}
		_, body, _, err := fetch(ctx, http.MethodGet, a, "/session", cred)
		if err != nil {
			return nil, err
		}
		for i, addr := range addrs {
			req := newRequest(addr, "/session", []string{cred}, http.StatusOK, body)
			wg.Go(func() { res.load[i], errs[i] = generate(req, o.conns, 0, &stop) })
		}
		time.Sleep(o.settle)
	}
	trialErr := func() error {
		for i := range o.trials {
			cred, err := login(ctx, a, cookieName)
			if err != nil {
				return fmt.Errorf("trial %d: %w", i, err)
			}
			t0 := time.Now()
			status, body, _, err := fetch(ctx, http.MethodGet, b, "/session", cred)
			if err != nil {
				return fmt.Errorf("trial %d: %w", i, err)
			}
			if status != http.StatusOK {
				return fmt.Errorf("trial %d: B refused a live session: %d %s", i, status, body)
			}
			res.accepts = append(res.accepts, time.Since(t0))
			status, body, _, err = fetch(ctx, http.MethodDelete, a, "/session", cred)
			if err != nil {
				return fmt.Errorf("trial %d: logout: %w", i, err)
			}
			if status == http.StatusServiceUnavailable {
				res.logoutFailed++
				res.failures = append(res.failures, fmt.Sprintf("trial %d: %s", i, body))
				continue
			}
			if status != http.StatusNoContent {
				return fmt.Errorf("trial %d: logout: %d %s", i, status, body)
			}
			out := time.Now()
			stale := 0
			for {
				status, body, _, err = fetch(ctx, http.MethodGet, b, "/session", cred)
				lag := time.Since(out)
				if err != nil {
					return fmt.Errorf("trial %d: poll: %w", i, err)
				}
				if status == http.StatusUnauthorized {
					res.lags = append(res.lags, lag)
					break
				}
				if status != http.StatusOK {
					return fmt.Errorf("trial %d: poll: %d %s", i, status, body)
				}
				stale++
				if lag > o.timeout {
					return fmt.Errorf("trial %d: B still accepts the cookie %v after the logout", i, lag)
				}
			}
			res.stale += stale
			if stale > 0 {
				res.staleTrials++
			}
		}
		return nil
	}()
	stop.Store(true)
	wg.Wait()
	if trialErr != nil {
		return nil, trialErr
	}
	for i, err := range errs {
		if err == nil && res.load[i].bad > 0 {
			err = fmt.Errorf("%d bad answers, the first: %w", res.load[i].bad, res.load[i].firstErr)
		}
		if err != nil {
			return nil, fmt.Errorf("load on %c: %w", 'A'+i, err)
		}
	}
	slices.Sort(res.lags)
	slices.Sort(res.accepts)
	return res, nil
}

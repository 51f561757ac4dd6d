// Command load measures cookie GET /session over real HTTP on loopback:
// gatehouse on its memory store, PostgreSQL and PostgreSQL with sessions
// in Redis, beside alexedwards/scs on memstore, pgxstore and redisstore
// and a bare net/http handler writing the same bytes, each on its own
// 127.0.0.1 listener in the same process, with rounds interleaved across
// the targets; and the revocation lag between two gatehouse instances
// sharing one store while both serve load (issue 15, section 4).
//
//	cd bench && go run ./load -duration 2s -rounds 5 -conns 16
//
// The PostgreSQL and Redis targets run when GATEHOUSE_TEST_POSTGRES and
// GATEHOUSE_TEST_REDIS are set; each makes a schema or key prefix of its
// own, removed at the end. See bench/README.md for the flags and results.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"time"
)

// config is the command line.
type config struct {
	duration, warmup time.Duration
	rounds, conns    int
	targets          string
	cache            bool
	pgConns          int
	revocation       string
	lagTrials        int
	lagConns         int
}

func main() {
	exit := 0
	defer func() { os.Exit(exit) }()
	var c config
	flag.DurationVar(&c.duration, "duration", 2*time.Second, "length of one round against one target")
	flag.IntVar(&c.rounds, "rounds", 5, "rounds per target, interleaved across the targets")
	flag.IntVar(&c.conns, "conns", 16, "keep-alive connections of the load")
	flag.DurationVar(&c.warmup, "warmup", 500*time.Millisecond, "load sent to each target, unmeasured, before the first round")
	flag.StringVar(&c.targets, "targets", "all", "comma-separated targets, or all (those whose servers are configured); -list lists them")
	flag.BoolVar(&c.cache, "cache", false, "include the cached-mode targets in all, and measure the revocation lag in the cached mode too")
	flag.IntVar(&c.pgConns, "pg-conns", 0, "PostgreSQL pool size of gatehouse (sqlstore) and scs (pgxpool) alike; 0 keeps each library's default (10 and max(4, cores))")
	flag.StringVar(&c.revocation, "revocation", "postgres", "comma-separated shared stores of the revocation-lag measurement (postgres, postgres+redis), or none")
	flag.IntVar(&c.lagTrials, "revocation-trials", 100, "logout trials of the revocation-lag measurement")
	flag.IntVar(&c.lagConns, "revocation-conns", 0, "load connections on each of the two instances during the trials; 0 means conns/2")
	list := flag.Bool("list", false, "list the targets and exit")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the rounds (servers and client: one process) to this file")
	flag.Parse()
	if *list {
		for _, t := range targets {
			needs := strings.Join(t.needs, ", ")
			if needs == "" {
				needs = "-"
			}
			fmt.Printf("%-32s needs %s\n", t.name, needs)
		}
		return
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	e := newEnv()
	err := run(ctx, e, c, os.Stdout, os.Stderr)
	e.close()
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		exit = 1
	}
}

// selectTargets returns the targets named by spec ("all" or a
// comma-separated list), in the order of a round.
func selectTargets(e *env, spec string, cache bool) ([]target, []string, error) {
	var (
		out     []target
		skipped []string
	)
	if spec == "all" {
		for _, t := range targets {
			if why := e.unmet(t, cache); why != "" {
				skipped = append(skipped, t.name+" ("+why+")")
				continue
			}
			out = append(out, t)
		}
		return out, skipped, nil
	}
	for name := range strings.SplitSeq(spec, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(targets, func(t target) bool { return t.name == name })
		if i < 0 {
			return nil, nil, fmt.Errorf("unknown target %q; the targets: %s", name, targetNames(targets))
		}
		if why := e.unmet(targets[i], true); why != "" {
			return nil, nil, fmt.Errorf("target %s: %s", name, why)
		}
		out = append(out, targets[i])
	}
	return out, nil, nil
}

// unmet says why t cannot run ("" when it can); cache is whether the
// cached mode was asked for.
func (e *env) unmet(t target, cache bool) string {
	for _, n := range t.needs {
		switch {
		case n == "postgres" && e.pgDSN == "":
			return "GATEHOUSE_TEST_POSTGRES is not set"
		case n == "redis" && e.redisURL == "":
			return "GATEHOUSE_TEST_REDIS is not set"
		case n == "cache" && !cache:
			return "cached mode: add -cache"
		}
	}
	return ""
}

// summary is one target's rounds.
type summary struct {
	name   string
	rounds []result
	// all holds the latencies of every round, sorted.
	all []time.Duration
}

// run measures the selected targets and the revocation lag, writing the
// results to out as Markdown and the progress to log.
func run(ctx context.Context, e *env, c config, out, log io.Writer) error {
	if c.rounds < 1 || c.conns < 1 || c.duration <= 0 {
		return errors.New("-rounds, -conns and -duration must be positive")
	}
	e.pgConns = c.pgConns
	ts, skipped, err := selectTargets(e, c.targets, c.cache)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintln(log, "skipped:", s)
	}
	sums, err := measure(ctx, e, ts, c, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%d rounds × %v per target, %d connections, GOMAXPROCS %d, targets interleaved\n\n",
		c.rounds, c.duration, c.conns, runtime.GOMAXPROCS(0))
	writeTable(out, sums)
	writeRatios(out, sums)
	// The targets' pools (and their PostgreSQL connections, of a server
	// others may share) are released before the lag measurements.
	e.close()

	if c.revocation == "none" || c.revocation == "" || c.lagTrials <= 0 {
		return nil
	}
	lagConns := c.lagConns
	if lagConns == 0 {
		lagConns = max(c.conns/2, 1)
	}
	var modes []bool
	modes = append(modes, false)
	if c.cache {
		modes = append(modes, true)
	}
	for kind := range strings.SplitSeq(c.revocation, ",") {
		kind = strings.TrimSpace(kind)
		if kind != "postgres" && kind != "postgres+redis" {
			return fmt.Errorf("-revocation: unknown store %q (postgres, postgres+redis)", kind)
		}
		if e.pgDSN == "" || (kind == "postgres+redis" && e.redisURL == "") {
			fmt.Fprintf(log, "skipped: revocation lag on %s (its servers are not configured)\n", kind)
			continue
		}
		for _, cached := range modes {
			name := kind
			if cached {
				name += "+cache"
			}
			fmt.Fprintf(log, "revocation lag on %s: %d trials, %d load connections on each instance\n", name, c.lagTrials, lagConns)
			le := &env{pgDSN: e.pgDSN, redisURL: e.redisURL, pgConns: e.pgConns}
			r, err := measureLag(ctx, le, lagOptions{kind: kind, trials: c.lagTrials, conns: lagConns, cached: cached, timeout: 10 * time.Second, settle: time.Second})
			le.close()
			if err != nil {
				return fmt.Errorf("revocation lag on %s: %w", name, err)
			}
			writeLag(out, name, lagConns, r)
		}
	}
	return nil
}

// measure starts the targets, warms each up, then runs c.rounds rounds, a
// round being one c.duration run against every target in turn, the first
// target of round i being the i-th (so that no target always follows the
// same one).
func measure(ctx context.Context, e *env, ts []target, c config, log io.Writer) ([]*summary, error) {
	reqs := make([]*request, len(ts))
	sums := make([]*summary, len(ts))
	for i, t := range ts {
		r, err := t.start(ctx, e)
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", t.name, err)
		}
		reqs[i], sums[i] = r, &summary{name: t.name}
	}
	if c.warmup > 0 {
		for i, r := range reqs {
			res, err := generate(r, c.conns, c.warmup, nil)
			if err == nil && res.bad > 0 {
				err = res.firstErr
			}
			if err != nil {
				return nil, fmt.Errorf("warm-up of %s: %w", ts[i].name, err)
			}
		}
	}
	for round := range c.rounds {
		for k := range ts {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			i := (round + k) % len(ts)
			res, err := generate(reqs[i], c.conns, c.duration, nil)
			if err != nil {
				return nil, fmt.Errorf("%s, round %d: %w", ts[i].name, round+1, err)
			}
			if res.bad > 0 {
				return nil, fmt.Errorf("%s, round %d: %d bad answers of %d, the first: %w", ts[i].name, round+1, res.bad, res.ok+res.bad, res.firstErr)
			}
			slices.Sort(res.latencies)
			fmt.Fprintf(log, "round %d  %-32s %9.0f req/s  p50 %8v  p99 %8v\n", round+1, ts[i].name, res.rps(),
				percentile(res.latencies, 50), percentile(res.latencies, 99))
			s := sums[i]
			s.all = append(s.all, res.latencies...)
			res.latencies = nil
			s.rounds = append(s.rounds, res)
		}
	}
	for _, s := range sums {
		slices.Sort(s.all)
	}
	return sums, nil
}

// rps returns the requests per second of every round.
func (s *summary) rps() []float64 {
	v := make([]float64, len(s.rounds))
	for i, r := range s.rounds {
		v[i] = r.rps()
	}
	return v
}

func writeTable(out io.Writer, sums []*summary) {
	fmt.Fprintln(out, "| cookie GET /session | req/s median (min–max) | p50 | p99 | requests |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	for _, s := range sums {
		v := s.rps()
		n := 0
		for _, r := range s.rounds {
			n += r.ok
		}
		fmt.Fprintf(out, "| %s | %.0f (%.0f–%.0f) | %s | %s | %d |\n", s.name, median(v), slices.Min(v), slices.Max(v),
			micros(percentile(s.all, 50)), micros(percentile(s.all, 99)), n)
	}
	fmt.Fprintln(out)
}

// ratios are the pairs, gatehouse ÷ peer.
var ratios = [][2]string{
	{"gatehouse/postgres", "scs/pgxstore"},
	{"gatehouse/postgres+redis", "scs/redisstore"},
	{"gatehouse/postgres", "gatehouse/memory"},
	{"gatehouse/memory", "bare"},
	{"gatehouse/memory", "scs/memstore"},
	{"gatehouse/memory/bearer-hs256", "bare"},
	{"gatehouse/postgres+cache", "scs/pgxstore"},
	{"gatehouse/postgres+cache", "gatehouse/memory"},
	{"gatehouse/postgres+redis+cache", "scs/redisstore"},
}

// writeRatios writes, for each of the pairs present, the ratio
// of the median req/s and the min–max of the per-round ratios (each round
// of a target against the same round of its peer, run minutes apart at
// most).
func writeRatios(out io.Writer, sums []*summary) {
	find := func(name string) *summary {
		i := slices.IndexFunc(sums, func(s *summary) bool { return s.name == name })
		if i < 0 {
			return nil
		}
		return sums[i]
	}
	header := false
	for _, p := range ratios {
		a, b := find(p[0]), find(p[1])
		if a == nil || b == nil {
			continue
		}
		if !header {
			fmt.Fprintln(out, "| gatehouse ÷ peer (req/s) | ratio of medians | per-round ratios min–max |")
			fmt.Fprintln(out, "|---|---|---|")
			header = true
		}
		av, bv := a.rps(), b.rps()
		per := make([]float64, len(av))
		for i := range av {
			per[i] = av[i] / bv[i]
		}
		fmt.Fprintf(out, "| %s ÷ %s | %.2f | %.2f–%.2f |\n", p[0], p[1], median(av)/median(bv), slices.Min(per), slices.Max(per))
	}
	if header {
		fmt.Fprintln(out)
	}
}

func writeLag(out io.Writer, name string, conns int, r *lagResult) {
	fmt.Fprintf(out, "Revocation lag, two instances on one %s store, %d trials, %d load connections on each "+
		"(load served meanwhile: A %d, B %d requests, %.0f and %.0f req/s):\n\n",
		name, len(r.lags), conns, r.load[0].ok, r.load[1].ok, r.load[0].rps(), r.load[1].rps())
	if len(r.lags) == 0 || len(r.accepts) == 0 {
		fmt.Fprintf(out, "No trial completed (%d logouts answered 503).\n\n", r.logoutFailed)
		return
	}
	fmt.Fprintln(out, "| | worst | p99 | median |")
	fmt.Fprintln(out, "|---|---|---|---|")
	fmt.Fprintf(out, "| logout on A answered → B's first 401 | %s | %s | %s |\n",
		micros(r.lags[len(r.lags)-1]), micros(percentile(r.lags, 99)), micros(percentile(r.lags, 50)))
	fmt.Fprintf(out, "| one accepted GET /session on B (before the logout) | %s | %s | %s |\n\n",
		micros(r.accepts[len(r.accepts)-1]), micros(percentile(r.accepts, 99)), micros(percentile(r.accepts, 50)))
	fmt.Fprintf(out, "B accepted the cookie after A's logout had answered %d times, in %d of %d trials.\n\n", r.stale, r.staleTrials, len(r.lags))
	if r.logoutFailed > 0 {
		fmt.Fprintf(out, "%d logouts on A answered 503 (those trials were not polled):\n\n", r.logoutFailed)
		for _, f := range r.failures {
			fmt.Fprintf(out, "    %s\n", f)
		}
		fmt.Fprintln(out)
	}
}

// percentile returns the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// micros formats d in microseconds, or milliseconds from 10 ms.
func micros(d time.Duration) string {
	if d >= 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

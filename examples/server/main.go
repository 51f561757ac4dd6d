// Command server runs the gatehouse demo: the HTTP API of gatehouse on
// 127.0.0.1:8080 over an in-memory store seeded from demo.json, and its
// admin API (users, roles and sessions at run time) under /admin/.
//
//	go run ./examples/server                  # from the repository root
//	go run ./examples/server -data my.json -addr 127.0.0.1:9000
//	go run ./examples/server -store sqlite:/tmp/gh.db -key key.pem
//	go run ./examples/server -store postgres://u:p@host/db -redis redis://host:6379/0
//	go run ./examples/server -store postgres://u:p@host/db -cache   # sessions kept in process, invalidated by LISTEN/NOTIFY
//	go run ./examples/server -idle-timeout 2h     # cookie sessions; 0 disables
//	go run ./examples/server -metrics 127.0.0.1:9464  # Prometheus text at /metrics
//	go run ./examples/server -mfa-key mfa.key     # 64 hex digits: keeps TOTP secrets readable across restarts
//
// Password reset tokens are not mailed: the demo logs one line per token,
// containing reset_token=<token>. The demo user carol has two-factor login
// with the fixed secret DemoTOTPSecret (oathtool --totp -b <secret>).
//
// A bad flag or data file stops it with a message and exit status 1.
package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/examples/internal/storeflag"
	"github.com/gatehouse-go/gatehouse/manage"
	ghotel "github.com/gatehouse-go/gatehouse/otel"
	"github.com/gatehouse-go/gatehouse/report/xlsx"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

//go:embed demo.json
var demoData []byte

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line flags.
type options struct {
	addr         string
	data         string
	key          string
	issuer       string
	cookieSecure bool
	bcryptCost   int
	store        string
	redis        string
	// cache turns on the cached mode (gatehouse.Config.Cache).
	cache bool
	// idleTimeout is the idle timeout of cookie sessions; 0 disables it.
	idleTimeout time.Duration
	cookieName  string
	// metrics is the address of the Prometheus endpoint; empty: none.
	metrics string
	// mfaKey is a file holding the TOTP secrets' key in hex; empty: a
	// random key per start.
	mfaKey string
}

// DemoTOTPSecret is the TOTP secret of the demo user carol (base32, 160
// bits), printed so that anyone can try two-factor login:
// oathtool --totp -b JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP.
const DemoTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// demoTOTPUser is the demo user enrolled with DemoTOTPSecret.
const demoTOTPUser = "carol"

// logResetSender is the demo's password reset hook: one log line per
// token, for trying the flow without mail. A real host mails or texts it.
type logResetSender struct{ log *slog.Logger }

func (s logResetSender) SendPasswordReset(ctx context.Context, d session.ResetDelivery) error {
	s.log.InfoContext(ctx, "password reset token (demo: a real server mails it) reset_token="+d.Token,
		"username", d.User.Username, "expires_at", d.ExpiresAt.Format(time.RFC3339))
	return nil
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&o.data, "data", "", "data file (JSON); default: the embedded demo.json")
	fs.StringVar(&o.key, "key", "", "PEM private key (Ed25519, ECDSA P-256, RSA) or raw HS256 secret (≥ 32 bytes) for signing tokens; default: a generated Ed25519 key")
	fs.StringVar(&o.issuer, "issuer", "", "token issuer (iss) and audience; default: the service name")
	fs.BoolVar(&o.cookieSecure, "cookie-secure", true, "mark the session cookie Secure")
	fs.StringVar(&o.cookieName, "cookie-name", gatehouse.DefaultCookieName, "name of the session cookie; "+gatehouse.HostCookieName+" over HTTPS at the root of the host")
	fs.IntVar(&o.bcryptCost, "bcrypt-cost", user.DefaultBcryptCost, "bcrypt cost of new password hashes (at least 10)")
	fs.StringVar(&o.store, "store", "memory", storeflag.StoreUsage)
	fs.StringVar(&o.redis, "redis", "", storeflag.RedisUsage)
	fs.BoolVar(&o.cache, "cache", false, "cached mode: keep sessions, users and versions in process, dropped by the store's change feed (postgres://, -redis, or memory; not sqlite:)")
	fs.DurationVar(&o.idleTimeout, "idle-timeout", session.DefaultIdleTimeout,
		"end a cookie (browser) session unused for this long; 0 disables it. Bearer tokens live for their ttl_seconds regardless")
	fs.StringVar(&o.metrics, "metrics", "", "serve Prometheus metrics (gatehouse_*) at http://ADDR/metrics; default: none")
	fs.StringVar(&o.mfaKey, "mfa-key", "", "file holding the key of TOTP secrets (64 hex digits); default: a random key per start, so enrolments do not survive a restart")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.idleTimeout < 0 {
		return o, fmt.Errorf("-idle-timeout %v: must not be negative (0 disables it)", o.idleTimeout)
	}
	return o, nil
}

// mfaKey reads the -mfa-key file, or makes a random key.
func mfaKey(o options) ([]byte, error) {
	if o.mfaKey == "" {
		k := make([]byte, 32)
		_, err := rand.Read(k)
		return k, err
	}
	b, err := os.ReadFile(o.mfaKey)
	if err != nil {
		return nil, fmt.Errorf("-mfa-key: %w", err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("-mfa-key %s: want 64 hex digits (32 bytes)", o.mfaKey)
	}
	return k, nil
}

// sessionConfig is the session configuration the flags ask for.
func sessionConfig(o options, hasher user.Hasher) session.Config {
	idle := o.idleTimeout
	if idle == 0 {
		idle = -1 // session.Config: negative disables, zero means the default
	}
	return session.Config{
		Token:       token.Config{Issuer: o.issuer, Audience: o.issuer},
		Hasher:      hasher,
		IdleTimeout: idle,
	}
}

// setup loads the data file into a new Gatehouse, observed by obs (with
// its store wrapped) unless obs is nil.
func setup(ctx context.Context, o options, log *slog.Logger, obs *ghotel.Observer) (*gatehouse.Gatehouse, *datafile.File, error) {
	var (
		data *datafile.File
		err  error
	)
	if o.data == "" {
		data, err = datafile.Parse(demoData)
	} else {
		data, err = datafile.Read(o.data)
	}
	if err != nil {
		return nil, nil, err
	}
	var keys *token.KeySet // nil: gatehouse generates a key and warns
	if o.key != "" {
		k, err := token.LoadKeyFile("", o.key)
		if err != nil {
			return nil, nil, fmt.Errorf("-key: %w", err)
		}
		if keys, err = token.NewKeySet(k); err != nil {
			return nil, nil, fmt.Errorf("-key: %w", err)
		}
	}
	hasher, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: o.bcryptCost}})
	if err != nil {
		return nil, nil, fmt.Errorf("-bcrypt-cost: %w", err)
	}
	store, err := storeflag.Open(ctx, o.store, o.redis, log)
	if err != nil {
		return nil, nil, err
	}
	key, err := mfaKey(o)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	sc := sessionConfig(o, hasher)
	sc.MFA.Key = key
	sc.PasswordReset.Sender = logResetSender{log: log}
	cfg := gatehouse.Config{ReportWriter: xlsx.New(), Store: store, Logger: log, Keys: keys,
		Session:        sc,
		CookieName:     o.cookieName,
		InsecureCookie: !o.cookieSecure}
	if o.cache {
		cfg.Cache = &cachestore.Config{}
	}
	if obs != nil {
		// Logins, authentications, lockouts, quota refusals and every
		// store call, counted and timed.
		cfg.Observer, cfg.Store = obs, ghotel.WrapStore(store, obs)
	}
	// Open takes the data file's service section, creates the Gatehouse
	// and applies the file.
	g, err := gatehouse.Open(ctx, cfg, data)
	if err != nil {
		store.Close()
		if o.cache && errors.Is(err, cachestore.ErrNoFeed) {
			err = fmt.Errorf("-cache: %w", err)
		}
		return nil, nil, err
	}
	if o.data == "" {
		// The demo's two-factor user, enrolled on every start (the key
		// may be new).
		u, err := g.Manage().UserByUsername(ctx, manage.System, demoTOTPUser)
		if err == nil {
			err = g.Sessions().ImportTOTP(ctx, u.ID, DemoTOTPSecret)
		}
		if err != nil {
			g.Close()
			store.Close()
			return nil, nil, fmt.Errorf("demo TOTP user %s: %w", demoTOTPUser, err)
		}
	}
	return g, data, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "server:", err)
		return 1
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	var metrics *metricsServer
	if o.metrics != "" {
		if metrics, err = newMetricsServer(o.metrics); err != nil {
			fmt.Fprintln(stderr, "server: -metrics:", err)
			return 1
		}
		defer metrics.close()
	}
	g, data, err := setup(ctx, o, log, metrics.observer())
	if err != nil {
		fmt.Fprintln(stderr, "server:", err)
		return 1
	}
	defer g.Store().Close() // after g.Close: the store is ours (-store)
	defer g.Close()

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintln(stderr, "server:", err)
		return 1
	}
	addr := ln.Addr().String()
	// The API at the root, the admin API under /admin/ (its routes need a
	// live session, and package manage's rules: users_manage, roles_manage,
	// or an admin, who holds every permission).
	mux := http.NewServeMux()
	mux.Handle("/", g.Handler())
	mux.Handle("/admin/", http.StripPrefix("/admin", g.AdminHandler()))
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 2) // the API's server and the metrics server
	go func() { errc <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "gatehouse demo (%s %d.%d.%s) on http://%s\n", g.Service().Name,
		g.Service().Version.Major, g.Service().Version.Minor, g.Service().Version.Build, addr)
	fmt.Fprintf(stdout, "  curl http://%s/health\n  curl http://%s/version\n", addr, addr)
	fmt.Fprintf(stdout, "admin API (users, roles, sessions) on http://%s/admin/\n", addr)
	if metrics != nil {
		go metrics.serve(errc)
		fmt.Fprintf(stdout, "metrics (Prometheus text) on http://%s/metrics\n", metrics.addr)
	}
	if o.data == "" {
		fmt.Fprintln(stdout, "demo users (username / password), from examples/server/demo.json:")
		for _, u := range data.Users {
			fmt.Fprintf(stdout, "  %-8s / %s\n", u.Username, u.Password)
		}
		fmt.Fprintf(stdout, "%s also needs a one-time code (TOTP secret %s):\n"+
			"  curl -s http://%s/token -H 'Content-Type: application/json' \\\n"+
			"      -d '{\"username\":\"%s\",\"password\":\"carol-demo-password\",\"otp\":\"'$(oathtool --totp -b %s)'\"}'\n"+
			"password reset tokens are logged (reset_token=...): POST /password/reset {\"username\":\"alice\"}\n",
			demoTOTPUser, DemoTOTPSecret, addr, demoTOTPUser, DemoTOTPSecret)
		fmt.Fprintf(stdout, "log in and ask who you are:\n"+
			"  TOKEN=$(curl -s http://%[1]s/token -H 'Content-Type: application/json' \\\n"+
			"      -d '{\"username\":\"admin\",\"password\":\"admin-demo-password\"}' | tr -d '\"')\n"+
			"  curl -s http://%[1]s/user -H \"Authorization: Bearer $TOKEN\"\n"+
			"  curl -s http://%[1]s/permissions -H \"Authorization: Bearer $TOKEN\"\n"+
			"create a user through the admin API (as admin, who holds every permission):\n"+
			"  curl -s http://%[1]s/admin/users -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n"+
			"      -d '{\"username\":\"bob\",\"password\":\"bob-demo-password\",\"roles\":[\"viewer\"]}'\n"+
			"the API is described at http://%[1]s/docs/file_en.html (the admin API under /admin)\n", addr)
	}

	select {
	case err := <-errc:
		fmt.Fprintln(stderr, "server:", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintln(stderr, "server: shutdown:", err)
		return 1
	}
	return 0
}

// Command webapp runs the example web application of gatehouse (package
// app): server-rendered pages with a login in front, a customers table shaped
// by each user's permissions, an account page and an admin page, on
// 127.0.0.1:8081 over an in-memory store seeded from its own data file.
//
//	go run ./examples/webapp                  # from the repository root
//	go run ./examples/webapp -addr 127.0.0.1:9000 -data my.json
//	go run ./examples/webapp -store sqlite:/tmp/webapp.db
//	go run ./examples/webapp -store postgres://u:p@host/db -redis redis://host:6379/0
//
// It prints the users to log in with (and, for its own data file, their
// passwords). Any data file whose schema declares a
// Customer entity works (-data): the table's columns are its attributes.
// A bad flag or data file stops it with a message and exit status 1.
package main

import (
	"context"
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

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/examples/internal/storeflag"
	"github.com/gatehouse-go/gatehouse/examples/webapp/app"
	"github.com/gatehouse-go/gatehouse/user"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// options are the command line flags.
type options struct {
	addr  string
	data  string
	store string
	redis string
	// bcryptCost is the cost of new password hashes.
	bcryptCost int
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8081", "address to listen on")
	fs.StringVar(&o.data, "data", "", "data file (JSON) whose schema declares a Customer entity; default: the app's own (examples/webapp/app/webapp.json)")
	fs.StringVar(&o.store, "store", "memory", storeflag.StoreUsage)
	fs.StringVar(&o.redis, "redis", "", storeflag.RedisUsage)
	fs.IntVar(&o.bcryptCost, "bcrypt-cost", user.DefaultBcryptCost, "bcrypt cost of new password hashes (at least 10)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "webapp:", err)
		return 1
	}
	if err := listenAndServe(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "webapp:", err)
		return 1
	}
	return 0
}

// listenAndServe runs the app until ctx ends or a signal stops it.
func listenAndServe(ctx context.Context, o options, stdout, stderr io.Writer) error {
	var (
		data *datafile.File
		err  error
	)
	if o.data == "" {
		data, err = app.DataFile()
	} else {
		data, err = datafile.Read(o.data)
	}
	if err != nil {
		return fmt.Errorf("data file: %w", err)
	}
	hasher, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: o.bcryptCost}})
	if err != nil {
		return fmt.Errorf("-bcrypt-cost: %w", err)
	}
	// Listen first: a bad -addr stops it before any password is hashed.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	store, err := storeflag.Open(ctx, o.store, o.redis, log)
	if err != nil {
		return err
	}
	defer store.Close() // after a.Close: the store is ours (-store)
	a, err := app.New(ctx, app.Options{
		Data: data, Store: store, Logger: log, Hasher: hasher,
		// The example serves plain HTTP on loopback, where a browser would
		// not send a Secure cookie back. Serve a real deployment over HTTPS
		// and drop this line.
		InsecureCookie: true,
	})
	if err != nil {
		return err
	}
	defer a.Close()

	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	fmt.Fprintf(stdout, "gatehouse web application on http://%s\n", ln.Addr())
	if o.data == "" {
		fmt.Fprintln(stdout, "log in with (username / password):")
		for _, u := range data.Users {
			fmt.Fprintf(stdout, "  %-8s / %-16s roles: %s\n", u.Username, u.Password, strings.Join(u.Roles, ", "))
		}
	} else {
		// A data file of one's own may hold real passwords: not printed.
		fmt.Fprintf(stdout, "log in with the users of %s:\n", o.data)
		for _, u := range data.Users {
			fmt.Fprintf(stdout, "  %-8s roles: %s\n", u.Username, strings.Join(u.Roles, ", "))
		}
	}
	fmt.Fprintln(stdout, "stop it with Ctrl-C")

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

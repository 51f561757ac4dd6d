package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"time"

	redigo "github.com/gomodule/redigo/redis"
	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
)

// env holds what the targets share: the servers' addresses
// (GATEHOUSE_TEST_POSTGRES, GATEHOUSE_TEST_REDIS), the PostgreSQL
// schemas and Redis key prefixes made for this run, and what to undo at
// the end.
type env struct {
	pgDSN, redisURL string
	// pgConns caps the PostgreSQL pools of gatehouse (sqlstore) and scs
	// (pgxpool) alike; zero leaves each library's default.
	pgConns int
	// cleanups run in reverse order on close.
	cleanups []func()
	// ref is gatehouse's GET /session answer on the memory store, made
	// once: what the bare handler and the scs peers serve.
	ref *reference
}

// errNotConfigured is a target's server that is not configured.
var errNotConfigured = errors.New("not configured")

func newEnv() *env {
	return &env{pgDSN: os.Getenv("GATEHOUSE_TEST_POSTGRES"), redisURL: os.Getenv("GATEHOUSE_TEST_REDIS")}
}

// defer_ registers f to run on close.
func (e *env) defer_(f func()) { e.cleanups = append(e.cleanups, f) }

// close undoes everything, the last registered first.
func (e *env) close() {
	for _, f := range slices.Backward(e.cleanups) {
		f()
	}
	e.cleanups = nil
}

// schema creates a PostgreSQL schema of its own on GATEHOUSE_TEST_POSTGRES,
// dropped on close, and returns the DSN that uses it.
func (e *env) schema(ctx context.Context) (string, error) {
	if e.pgDSN == "" {
		return "", fmt.Errorf("GATEHOUSE_TEST_POSTGRES: %w", errNotConfigured)
	}
	name := "gh_load_" + randomHex()
	admin, err := pgx.Connect(ctx, e.pgDSN)
	if err != nil {
		return "", err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		return "", err
	}
	e.defer_(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, e.pgDSN)
		if err == nil {
			_, err = c.Exec(ctx, "DROP SCHEMA "+name+" CASCADE")
			c.Close(ctx)
		}
		if err != nil {
			log.Printf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(e.pgDSN)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// redisClient returns a go-redis client of GATEHOUSE_TEST_REDIS; the
// caller owns it.
func (e *env) redisClient() (*redis.Client, error) {
	if e.redisURL == "" {
		return nil, fmt.Errorf("GATEHOUSE_TEST_REDIS: %w", errNotConfigured)
	}
	opts, err := redis.ParseURL(e.redisURL)
	if err != nil {
		return nil, err
	}
	return redis.NewClient(opts), nil
}

// redigoPool returns a redigo pool of GATEHOUSE_TEST_REDIS (scs's Redis
// client), closed on close, keeping up to idle connections.
func (e *env) redigoPool(idle int) (*redigo.Pool, error) {
	if e.redisURL == "" {
		return nil, fmt.Errorf("GATEHOUSE_TEST_REDIS: %w", errNotConfigured)
	}
	url := e.redisURL
	p := &redigo.Pool{MaxIdle: idle, Dial: func() (redigo.Conn, error) { return redigo.DialURL(url) }}
	e.defer_(func() { p.Close() })
	return p, nil
}

// redisPrefix returns a Redis key prefix of its own; its keys are deleted
// on close.
func (e *env) redisPrefix() (string, error) {
	c, err := e.redisClient()
	if err != nil {
		return "", err
	}
	c.Close()
	prefix := "ghload:" + randomHex() + ":"
	e.defer_(func() {
		c, err := e.redisClient()
		if err != nil {
			return
		}
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		for k := range slices.Chunk(keys, 1000) {
			c.Del(ctx, k...)
		}
	})
	return prefix, nil
}

// listen serves h on a new 127.0.0.1 listener, shut on close, and returns
// its address.
func (e *env) listen(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("serve %s: %v", ln.Addr(), err)
		}
	}()
	e.defer_(func() { srv.Close() })
	return ln.Addr().String(), nil
}

func randomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

package gatehouse_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// calls counts the events an observer gets, by method.
type calls struct {
	observe.Nop
	mu sync.Mutex
	n  map[string]int
}

func (c *calls) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[name]++
}

func (c *calls) LoginDone(context.Context, observe.Login)                 { c.add("login") }
func (c *calls) AuthenticateDone(context.Context, observe.Authentication) { c.add("authenticate") }
func (c *calls) QuotaRefused(context.Context, observe.QuotaRefusal)       { c.add("quota") }
func (c *calls) AuditLost(context.Context, observe.AuditLoss)             { c.add("audit") }

// New passes Config.Observer to the session manager, the quota enforcer
// and the audit recorder.
func TestConfigObserver(t *testing.T) {
	obs := &calls{n: map[string]int{}}
	g, err := gatehouse.New(gatehouse.Config{Observer: obs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = g.Sessions().Login(ctx, session.LoginRequest{Username: "nobody", Password: "whatever"})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	_, err = g.Sessions().Authenticate(ctx, session.Credential{})
	require.Error(t, err)
	_, err = g.Quotas().Acquire(ctx, quota.Subject{UserID: "u1"}, "UNIVERSAL", "PLAN", 1)
	require.ErrorIs(t, err, quota.ErrNoQuota)
	require.NoError(t, g.Close())
	err = g.Audit().Record(ctx, audit.Action{Service: "svc", OperationID: "op", MethodGroup: "G", Username: "alice", Company: "acme"})
	require.ErrorIs(t, err, audit.ErrClosed)
	assert.Equal(t, map[string]int{"login": 1, "authenticate": 1, "quota": 1, "audit": 1}, obs.n)
}

// authentications records the authentications an Observer is told of.
type authentications struct {
	observe.Nop
	mu  sync.Mutex
	got []observe.Authentication
}

func (a *authentications) AuthenticateDone(_ context.Context, e observe.Authentication) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, observe.Authentication{Credential: e.Credential, Outcome: e.Outcome, Reason: e.Reason})
}

// The HTTP layer's own refusals, made before the session manager is asked,
// are observed too: a brute force with garbage credentials shows (found in
// review).
func TestHTTPRefusalsAreObserved(t *testing.T) {
	obs := &authentications{}
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.Observer = obs })
	e.addUser(t, "alice", "password1", nil)
	c := e.cookie(t, "alice", "password1")
	h := e.protected()
	for _, q := range []req{
		{method: "GET", path: "/x"},
		{method: "GET", path: "/x", header: map[string]string{"Authorization": "Basic YTpi"}},
		{method: "GET", path: "/x", header: map[string]string{"Authorization": "Bearer "}},
		{method: "POST", path: "/x", cookie: c.Value, header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		e.do(t, h, q)
	}
	none := observe.Authentication{Credential: observe.CredentialNone, Outcome: observe.AuthRefused, Reason: observe.AuthReasonNoCredential}
	assert.Equal(t, []observe.Authentication{none, none, none,
		{Credential: observe.CredentialCookie, Outcome: observe.AuthRefused, Reason: observe.AuthReasonCrossOrigin}}, obs.got)

	obs.got = nil
	e.do(t, e.g.OptionalAuthenticate(page()), req{method: "GET", path: "/"})
	assert.Empty(t, obs.got, "an anonymous visitor of a public page is no refusal")
}

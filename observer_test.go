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

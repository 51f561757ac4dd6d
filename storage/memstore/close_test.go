package memstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

func TestClosedStoreFailsEveryConcern(t *testing.T) {
	s := memstore.New(memstore.Config{})
	ctx := t.Context()
	_, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice"})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.NoError(t, s.Close(), "second Close")

	for name, call := range map[string]func(context.Context) error{
		"Ping":      s.Ping,
		"GetUser":   func(ctx context.Context) error { _, err := s.Users().GetUser(ctx, "u1"); return err },
		"PutRole":   func(ctx context.Context) error { return s.Roles().PutRole(ctx, permissions.Role{Code: "r"}) },
		"GetSchema": func(ctx context.Context) error { _, err := s.Parameters().GetSchema(ctx); return err },
		"GetSession": func(ctx context.Context) error {
			_, err := s.Sessions().GetSession(ctx, "h")
			return err
		},
		"QueryAudit": func(ctx context.Context) error {
			_, err := s.Audit().QueryAudit(ctx, storage.AuditQuery{Company: "acme", Limit: 1})
			return err
		},
		"Increment": func(ctx context.Context) error {
			_, err := s.Counters().Increment(ctx, "k", 1, time.Minute)
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, call(ctx), memstore.ErrClosed)
		})
	}
}

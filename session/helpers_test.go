package session_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/require"
)

// clock is the repository's one test clock.
type clock = gatehousetest.Clock

var (
	hasherOnce sync.Once
	hasher     *user.MultiHasher
)

// testHasher is bcrypt at the minimum cost, to keep -race runs quick.
func testHasher(t testing.TB) *user.MultiHasher {
	hasherOnce.Do(func() {
		var err error
		hasher, err = user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: user.MinBcryptCost}})
		require.NoError(t, err)
	})
	return hasher
}

type fixture struct {
	store *memstore.Store
	clock *clock
	m     *session.Manager
	keys  *token.KeySet
}

func newFixture(t testing.TB, cfg session.Config) *fixture {
	t.Helper()
	c := gatehousetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	st := memstore.New(memstore.Config{Now: c.Now})
	k, err := token.GenerateEd25519("")
	require.NoError(t, err)
	keys, err := token.NewKeySet(k)
	require.NoError(t, err)
	cfg.Now = c.Now
	if cfg.Hasher == nil {
		cfg.Hasher = fastHasher
	}
	m, err := session.New(st, keys, cfg)
	require.NoError(t, err)
	return &fixture{store: st, clock: c, m: m, keys: keys}
}

func (f *fixture) addUser(t testing.TB, username, password string, mod func(*user.User)) user.User {
	t.Helper()
	h, err := fastHasher.Hash(password)
	require.NoError(t, err)
	u := user.User{ID: "id-" + username, Username: username, Company: "acme", PasswordHash: h}
	if mod != nil {
		mod(&u)
	}
	u, err = f.store.Users().CreateUser(context.Background(), u)
	require.NoError(t, err)
	return u
}

func (f *fixture) audits(t testing.TB, company string) []storage.AuditRecord {
	page, err := f.store.Audit().QueryAudit(context.Background(), storage.AuditQuery{Company: company, Limit: 1000})
	require.NoError(t, err)
	return page.Records
}

// fastHasher is the repository's one fast test hasher, for tests that are
// not about hashing: real bcrypt under -race on a shared machine takes
// seconds per login.
var fastHasher = gatehousetest.Hasher()

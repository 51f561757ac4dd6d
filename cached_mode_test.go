package gatehouse_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

func cached(cfg *gatehouse.Config) { cfg.Cache = &cachestore.Config{} }

// Two cached Gatehouse values on one memory store: each answers from its
// own memory, and a write through either is seen by the other at once
// (the memory store's feed is synchronous).
func TestCachedModeServesFromMemoryAndSeesChanges(t *testing.T) {
	k, err := token.GenerateEd25519("")
	require.NoError(t, err)
	keys, err := token.NewKeySet(k)
	require.NoError(t, err)
	shared := func(cfg *gatehouse.Config) { cached(cfg); cfg.Keys = keys }
	a := newAuthEnv(t, nil, nil, shared)
	defer a.g.Close()
	b := newAuthEnv(t, a.store, a.clock, shared)
	defer b.g.Close()
	require.NotNil(t, a.g.Cache())
	a.addUser(t, "alice", "pw-alice-1", nil)
	tok := a.token(t, "alice", "pw-alice-1")
	ck := a.cookie(t, "alice", "pw-alice-1")
	for range 3 {
		require.Equal(t, http.StatusOK, b.do(t, b.protected(), req{method: "GET", path: "/", header: bearer(tok)}).Code)
		require.Equal(t, http.StatusOK, b.do(t, nil, req{method: "GET", path: "/session", cookie: ck.Value}).Code)
	}
	st := b.g.Cache().Stats()
	assert.GreaterOrEqual(t, st.Hits, uint64(4), "B did not answer from memory: %+v", st)

	// A logout on A: B refuses the token's session on its next request.
	require.Equal(t, http.StatusNoContent, a.do(t, nil, req{method: "POST", path: "/logout", header: bearer(tok)}).Code)
	assert.Equal(t, http.StatusUnauthorized, b.do(t, b.protected(), req{method: "GET", path: "/", header: bearer(tok)}).Code)
	// A block through A's store: B refuses the cookie.
	a.updateUser(t, "id-alice", func(u *user.User) { u.Blocked = true })
	assert.Equal(t, http.StatusUnauthorized, b.do(t, nil, req{method: "GET", path: "/session", cookie: ck.Value}).Code)
}

func TestCachedModeWritesDropTheirOwnEntries(t *testing.T) {
	e := newAuthEnv(t, nil, nil, cached)
	defer e.g.Close()
	e.addUser(t, "alice", "pw-alice-1", nil)
	ck := e.cookie(t, "alice", "pw-alice-1")
	for range 2 {
		require.Equal(t, http.StatusOK, e.do(t, nil, req{method: "GET", path: "/session", cookie: ck.Value}).Code)
	}
	require.Equal(t, http.StatusNoContent, e.do(t, nil, req{method: "DELETE", path: "/session", cookie: ck.Value,
		header: map[string]string{"Sec-Fetch-Site": "same-origin"}}).Code)
	assert.Equal(t, http.StatusUnauthorized, e.do(t, nil, req{method: "GET", path: "/session", cookie: ck.Value}).Code)
}

// noFeed is a store without a change feed.
type noFeed struct{ storage.Store }

func TestCachedModeRefusesAStoreWithoutAFeed(t *testing.T) {
	_, err := gatehouse.New(gatehouse.Config{Store: noFeed{memstore.New(memstore.Config{})}, Cache: &cachestore.Config{}})
	require.Error(t, err)
	assert.True(t, errors.Is(err, cachestore.ErrNoFeed), "%v", err)
	_, err = gatehouse.New(gatehouse.Config{Cache: &cachestore.Config{TTL: -1}})
	assert.ErrorContains(t, err, "TTL")
}

func TestStrictModeHasNoCache(t *testing.T) {
	g, err := gatehouse.New(gatehouse.Config{})
	require.NoError(t, err)
	defer g.Close()
	assert.Nil(t, g.Cache())
}

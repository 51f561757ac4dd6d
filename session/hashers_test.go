package session_test

import (
	"sync"
	"sync/atomic"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// countingHasher counts verifications, real and dummy.
type countingHasher struct {
	user.Hasher
	n *atomic.Int64
}

func (h *countingHasher) Verify(e, p string) (bool, bool, error) {
	h.n.Add(1)
	return h.Hasher.Verify(e, p)
}

func (h *countingHasher) VerifyDummy(p string) { h.n.Add(1) }

// blockingHasher blocks every Verify until block is closed.
type blockingHasher struct {
	user.Hasher
	block chan struct{}
	once  sync.Once
	in    chan struct{}
	mu    sync.Mutex
}

func (h *blockingHasher) entered() chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.in == nil {
		h.in = make(chan struct{})
	}
	return h.in
}

func (h *blockingHasher) Verify(e, p string) (bool, bool, error) {
	in := h.entered()
	h.once.Do(func() { close(in) })
	<-h.block
	return h.Hasher.Verify(e, p)
}

func tokenNoLeeway() token.Config { return token.Config{Leeway: -1} }

func newSigner(f *fixture) (*token.Signer, error) {
	return token.NewSigner(f.keys, token.Config{Now: f.clock.Now})
}

func identity(sub, sid string) token.Identity {
	return token.Identity{Subject: sub, SessionID: sid}
}

var _ = session.ErrStore

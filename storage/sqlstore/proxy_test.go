package sqlstore_test

import (
	"net"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// proxy is a TCP proxy on 127.0.0.1 in front of a database server, which a
// test can cut and restore: the store under test connects through it, so the
// test makes its backend unreachable and brings it back without touching the
// shared server (the other tests' connections go straight to it).
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool                  // refuse new connections and drop all
	muted bool                  // swallow the server's replies
	conns map[net.Conn]struct{} // both ends of every live pair
	wg    sync.WaitGroup
}

// newProxy starts a proxy to target (host:port), stopped when t ends.
func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		ln.Close()
		p.Cut()
		p.wg.Wait()
	})
	return p
}

// Addr is the proxy's host:port.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

// Cut drops every connection through the proxy and refuses new ones (each
// is accepted and closed at once), as a stopped server or a broken network
// would: the client's next read or write fails without waiting.
func (p *proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// Mute makes the proxy swallow whatever the server sends from now on while
// still forwarding what the client sends: a statement reaches the server and
// is committed, and the client never learns it, as when the network fails
// after a request went out. Cut (then Restore) ends it.
func (p *proxy) Mute() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.muted = true
}

// Restore accepts connections again.
func (p *proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down, p.muted = false, false
}

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.down { // cut while dialling
			p.mu.Unlock()
			c.Close()
			s.Close()
			continue
		}
		p.conns[c], p.conns[s] = struct{}{}, struct{}{}
		p.mu.Unlock()
		p.wg.Go(func() { p.pipe(s, c, false) })
		p.wg.Go(func() { p.pipe(c, s, true) })
	}
}

// pipe copies from src to dst until either fails, then closes both. Replies
// (fromServer) are dropped while the proxy is muted.
func (p *proxy) pipe(dst, src net.Conn, fromServer bool) {
	defer func() {
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.mu.Lock()
			drop := fromServer && p.muted
			p.mu.Unlock()
			if !drop {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil { // EOF, a reset or Cut: the pair is over either way
			return
		}
	}
}

package gatehouse

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/gatehouse-go/gatehouse/session"
)

// clientIP returns the client's address: the connection's peer, or, when
// the peer is a trusted proxy (Config.TrustedProxies), the rightmost
// X-Forwarded-For address that is not one. A malformed entry stops the walk
// at the last trusted hop; Forwarded and X-Real-IP are never read. An
// unparsable peer gives "".
func (g *Gatehouse) clientIP(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	var addr netip.Addr
	if err == nil {
		addr = peer.Addr()
	} else if a, err := netip.ParseAddr(r.RemoteAddr); err == nil {
		addr = a
	} else {
		return ""
	}
	addr = addr.Unmap()
	if !g.trusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a forged or broken entry: stop at the last trusted hop
		}
		a = a.Unmap()
		addr = a
		if !g.trusted(a) {
			break
		}
	}
	return addr.String()
}

func (g *Gatehouse) trusted(a netip.Addr) bool {
	for _, p := range g.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client returns what the session manager records about the request.
func (g *Gatehouse) client(r *http.Request) session.Client {
	ua := r.UserAgent()
	if len(ua) > 512 {
		ua = ua[:512]
	}
	return session.Client{IP: g.clientIP(r), UserAgent: ua, TraceCode: infoFrom(r.Context()).trace}
}

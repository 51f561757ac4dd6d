package gatehouse

import (
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/gatehouse-go/gatehouse/session"
)

// DefaultCookieName is the session cookie's name when Config.CookieName is
// empty (seed 002).
const DefaultCookieName = "SID"

// HostCookieName is the recommended Config.CookieName for an API served
// over HTTPS at the root of its host. Browsers accept a "__Host-" cookie
// only when it is Secure, has Path=/ and no Domain, so a sibling subdomain
// or a plain-HTTP page cannot plant one (cookie tossing). New refuses it
// together with Config.InsecureCookie.
const HostCookieName = "__Host-SID"

// initSessions builds the session manager and the cookie settings.
func (g *Gatehouse) initSessions(cfg Config) error {
	sc := cfg.Session
	if sc.Now == nil {
		sc.Now = g.now
	}
	if sc.Logger == nil {
		sc.Logger = g.log
	}
	if sc.Service == "" {
		sc.Service = g.service.Name
	}
	if sc.Server == "" {
		sc.Server = g.service.Server
	}
	if sc.Token.Service == "" {
		sc.Token.Service = g.service.Name
	}
	if sc.Audit == nil {
		sc.Audit = g.recorder
	}
	m, err := session.New(g.store, g.keys, sc)
	if err != nil {
		return fmt.Errorf("gatehouse: %w", err)
	}
	g.sessions = m
	g.cookieName = cfg.CookieName
	if g.cookieName == "" {
		g.cookieName = DefaultCookieName
	}
	if !validCookieName(g.cookieName) {
		return fmt.Errorf("gatehouse: CookieName %q is not a cookie name", g.cookieName)
	}
	g.cookieSecure = !cfg.InsecureCookie
	if strings.HasPrefix(g.cookieName, "__Host-") || strings.HasPrefix(g.cookieName, "__Secure-") {
		if !g.cookieSecure {
			return fmt.Errorf("gatehouse: a %q cookie must be Secure", g.cookieName)
		}
	}
	g.proxies = slices.Clone(cfg.TrustedProxies)
	g.csrf = http.NewCrossOriginProtection()
	return nil
}

// Sessions returns the session manager, for hosts that log users in or
// revoke sessions from their own code.
func (g *Gatehouse) Sessions() *session.Manager { return g.sessions }

func validCookieName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("()<>@,;:\\\"/[]?={}", c) >= 0 {
			return false
		}
	}
	return true
}

// clientIP returns the client's address: the connection's peer, or, when
// the peer is a trusted proxy, the rightmost X-Forwarded-For address that is
// not one. An unparsable peer gives "".
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

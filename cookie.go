package gatehouse

import (
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/session"
)

// DefaultCookieName is the session cookie's name when Config.CookieName is
// empty (the EDI API's name).
const DefaultCookieName = "SID"

// HostCookieName is the recommended Config.CookieName for an API served
// over HTTPS at the root of its host. Browsers accept a "__Host-" cookie
// only when it is Secure, has Path=/ and no Domain, so a sibling subdomain
// or a plain-HTTP page cannot plant one (cookie tossing). New refuses it
// together with Config.InsecureCookie.
const HostCookieName = "__Host-SID"

// CookieName returns the name of the session cookie (Config.CookieName, or
// DefaultCookieName).
func (g *Gatehouse) CookieName() string { return g.cookieName }

// validCookieName reports whether s is a cookie name (an RFC 6265 token).
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

// credential extracts the caller's credential: a bearer token starting
// with ghk_ is an API key (with the client address, for the throttle of
// unknown keys), any other a JWT. An Authorization header of
// another scheme, an empty bearer token, and a request carrying the session
// cookie more than once are credentials nobody holds.
func (g *Gatehouse) credential(r *http.Request) (session.Credential, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return session.Credential{}, false
		}
		if strings.HasPrefix(tok, session.APIKeyPrefix) {
			// An API key: not a JWT, and never ambient.
			return session.Credential{APIKey: tok, ClientIP: g.clientIP(r)}, true
		}
		return session.Credential{Bearer: tok}, true
	}
	cs := r.CookiesNamed(g.cookieName)
	if len(cs) == 1 && cs[0].Value != "" {
		return session.Credential{SessionID: cs[0].Value}, true
	}
	// No cookie, an empty one, or the cookie more than once: a sibling
	// subdomain or an insecure origin can plant a second SID with a
	// narrower Path that the browser sends first, so which one is the
	// caller's cannot be told. Nobody is authenticated.
	return session.Credential{}, false
}

// setCookie sets the session cookie of res: HttpOnly, SameSite=Lax,
// Path=/, no Domain, Secure unless Config.InsecureCookie, and living as
// long as the session.
func (g *Gatehouse) setCookie(w http.ResponseWriter, res *session.Result) {
	maxAge := int(res.Session.ExpiresAt.Sub(g.now()) / time.Second)
	http.SetCookie(w, &http.Cookie{
		Name: g.cookieName, Value: res.SessionID, Path: "/", MaxAge: max(maxAge, 1),
		HttpOnly: true, Secure: g.cookieSecure, SameSite: http.SameSiteLaxMode,
	})
}

// clearCookie tells the browser to drop the session cookie.
func (g *Gatehouse) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: g.cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: g.cookieSecure, SameSite: http.SameSiteLaxMode,
	})
}

package gatehouse_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestClientAddressBehindProxies logs in through POST /token with a given
// peer and forwarding headers and reads the client address the session
// record kept (the same address feeds the per-address throttle and the
// audit).
func TestClientAddressBehindProxies(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	for _, tc := range []struct {
		name    string
		proxies []netip.Prefix
		peer    string
		header  map[string][]string
		want    string
	}{
		{"no proxies configured: XFF ignored", nil, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"198.51.100.7"}}, "10.0.0.1"},
		{"untrusted peer: XFF ignored", trusted, "203.0.113.5:1234", map[string][]string{"X-Forwarded-For": {"198.51.100.7"}}, "203.0.113.5"},
		{"trusted peer without XFF", trusted, "10.0.0.1:1234", nil, "10.0.0.1"},
		{"one trusted hop", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"198.51.100.7"}}, "198.51.100.7"},
		{"several trusted hops", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"198.51.100.7, 10.0.0.2,10.0.0.3"}}, "198.51.100.7"},
		{"spoofed leftmost entry", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"6.6.6.6, 198.51.100.7"}}, "198.51.100.7"},
		{"spoofed header line before the proxy's", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"6.6.6.6", "198.51.100.7, 10.0.0.2"}}, "198.51.100.7"},
		{"malformed rightmost entry: the last trusted hop", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"198.51.100.7, garbage"}}, "10.0.0.1"},
		{"malformed entry behind a trusted hop", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"198.51.100.7, 1.2.3.4:80, 10.0.0.2"}}, "10.0.0.2"},
		{"empty entry", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"198.51.100.7, "}}, "10.0.0.1"},
		{"every hop trusted", trusted, "10.0.0.1:1234", map[string][]string{"X-Forwarded-For": {"10.0.0.9, 10.0.0.2"}}, "10.0.0.9"},
		{"IPv6 peer untrusted", trusted, "[2001:db8::1]:443", map[string][]string{"X-Forwarded-For": {"198.51.100.7"}}, "2001:db8::1"},
		{"IPv6 trusted hop", trusted, "[fd00::1]:443", map[string][]string{"X-Forwarded-For": {"2001:db8::5"}}, "2001:db8::5"},
		{"IPv4-mapped trusted peer", trusted, "[::ffff:10.0.0.1]:80", map[string][]string{"X-Forwarded-For": {"198.51.100.7"}}, "198.51.100.7"},
		{"IPv4-mapped forwarded address", trusted, "10.0.0.1:80", map[string][]string{"X-Forwarded-For": {"::ffff:198.51.100.7"}}, "198.51.100.7"},
		{"IPv4-mapped untrusted peer", trusted, "[::ffff:203.0.113.5]:80", map[string][]string{"X-Forwarded-For": {"198.51.100.7"}}, "203.0.113.5"},
		{"Forwarded and X-Real-IP ignored", trusted, "10.0.0.1:1234", map[string][]string{"Forwarded": {"for=6.6.6.6"}, "X-Real-Ip": {"6.6.6.6"}}, "10.0.0.1"},
		{"X-Real-IP ignored for an untrusted peer", trusted, "203.0.113.5:1234", map[string][]string{"X-Real-Ip": {"6.6.6.6"}}, "203.0.113.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.TrustedProxies = tc.proxies })
			e.addUser(t, "alice", "password1", nil)
			r := httptest.NewRequest("POST", "/token", strings.NewReader(`{"username":"alice","password":"password1"}`))
			r.Header.Set("Content-Type", "application/json")
			r.RemoteAddr = tc.peer
			for k, vs := range tc.header {
				for _, v := range vs {
					r.Header.Add(k, v)
				}
			}
			rec := httptest.NewRecorder()
			e.h.ServeHTTP(rec, r)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			ss, err := e.store.Sessions().ListSessions(context.Background(), "id-alice")
			require.NoError(t, err)
			require.Len(t, ss, 1)
			assert.Equal(t, tc.want, ss[0].ClientIP)
		})
	}
}

// TestAddressThrottleBehindProxies checks that the per-address throttle
// counts the address clientIP finds: clients behind a trusted proxy are
// counted apart, and an untrusted client cannot dodge its count by
// rotating X-Forwarded-For.
func TestAddressThrottleBehindProxies(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		c.Session.Throttle.PerUsername.MaxFailures = -1
		c.Session.Throttle.PerAddress.MaxFailures = 2
	})
	e.addUser(t, "alice", "password1", nil)
	login := func(peer, xff, password string) int {
		r := httptest.NewRequest("POST", "/token", strings.NewReader(`{"username":"alice","password":"`+password+`"}`))
		r.Header.Set("Content-Type", "application/json")
		r.RemoteAddr = peer
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		return rec.Code
	}
	for i := 0; i < 2; i++ {
		require.Equal(t, http.StatusUnauthorized, login("10.0.0.1:1", "198.51.100.7", "wrong-pass"))
	}
	assert.Equal(t, http.StatusTooManyRequests, login("10.0.0.1:1", "198.51.100.7", "password1"), "the forwarded client is locked")
	assert.Equal(t, http.StatusOK, login("10.0.0.1:1", "198.51.100.8", "password1"), "another client behind the same proxy is not")

	for i := 0; i < 2; i++ {
		require.Equal(t, http.StatusUnauthorized, login("203.0.113.5:1", "192.0.2."+string(rune('1'+i)), "wrong-pass"))
	}
	assert.Equal(t, http.StatusTooManyRequests, login("203.0.113.5:1", "192.0.2.9", "password1"), "an untrusted peer's XFF does not reset its count")
}

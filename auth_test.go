package gatehouse_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTokenEndpoint(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"password1","ttl_seconds":3600}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	var tok string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	rec = e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)})
	assert.Equal(t, "alice", rec.Body.String())
}

func TestTokenValidation(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	long := strings.Repeat("a", 1001)
	for _, tc := range []struct{ name, body, want string }{
		{"username missing", `{"password":"x"}`, "username: is required (required)"},
		{"username short", `{"username":"a","password":"x"}`, "username:"},
		{"username pattern", `{"username":"al ice","password":"x"}`, "(pattern)"},
		{"username long", `{"username":"` + strings.Repeat("a", 257) + `","password":"x"}`, "(length)"},
		{"password missing", `{"username":"alice"}`, "password: is required"},
		{"password empty", `{"username":"alice","password":""}`, "password:"},
		{"password too long", `{"username":"alice","password":"` + long + `"}`, "password:"},
		{"ttl low", `{"username":"alice","password":"password1","ttl_seconds":59}`, "ttl_seconds: must be 60..31556926"},
		{"ttl high", `{"username":"alice","password":"password1","ttl_seconds":31556927}`, "ttl_seconds:"},
		{"ttl fraction", `{"username":"alice","password":"password1","ttl_seconds":60.5}`, "ttl_seconds"},
		{"unknown field", `{"username":"alice","password":"password1","x":1}`, "unknown field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "POST", path: "/token", body: tc.body})
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Contains(t, decodeError(t, rec).Message, tc.want)
		})
	}
	t.Run("ttl bounds accepted", func(t *testing.T) {
		for _, ttl := range []string{"60", "31556926"} {
			rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"password1","ttl_seconds":` + ttl + `}`})
			assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		}
	})
}

func TestLoginFailuresIdentical(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	e.addUser(t, "bob", "password1", func(u *user.User) { u.Blocked = true })
	e.addUser(t, "carol", "", func(u *user.User) { u.PasswordHash = "" })
	var bodies []string
	var headers []http.Header
	for _, body := range []string{
		`{"username":"nobody","password":"password1"}`,
		`{"username":"alice","password":"wrong"}`,
		`{"username":"bob","password":"password1"}`,
		`{"username":"carol","password":"password1"}`,
	} {
		rec := e.do(t, nil, req{method: "POST", path: "/token", body: body})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))
		bodies = append(bodies, normalised(t, rec))
		h := rec.Header().Clone()
		h.Del("X-Trace-Code")
		headers = append(headers, h)
	}
	for i := 1; i < len(bodies); i++ {
		assert.Equal(t, bodies[0], bodies[i])
		assert.Equal(t, headers[0], headers[i])
	}
	assert.Contains(t, bodies[0], `"client":""`)
}

func TestThrottleHTTP(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Session.Throttle.PerUsername = session.Limit{MaxFailures: 2, WaitIncrement: time.Minute}
	})
	e.addUser(t, "alice", "password1", nil)
	for range 2 {
		rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"bad"}`})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
	}
	for _, name := range []string{"alice", "alice"} {
		rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"` + name + `","password":"password1"}`})
		require.Equal(t, http.StatusTooManyRequests, rec.Code)
		assert.Equal(t, "60", rec.Header().Get("Retry-After"))
	}
	e.clock.Add(time.Minute)
	e.token(t, "alice", "password1")
	// The success reset the count.
	rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"bad"}`})
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
}

func TestTokenCheck(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", func(u *user.User) { u.Roles = []string{"USER"} })
	tok := e.token(t, "alice", "password1")

	other, err := token.GenerateEd25519("")
	require.NoError(t, err)
	otherSet, err := token.NewKeySet(other)
	require.NoError(t, err)
	signer, err := token.NewSigner(otherSet, token.Config{Service: "UNIVERSAL", Now: e.clock.Now})
	require.NoError(t, err)
	foreign, _, err := signer.Issue(token.Identity{Subject: "id-alice", SessionID: strings.Repeat("a", 64)}, 0)
	require.NoError(t, err)

	// Tamper with the signature's last two characters; a token that
	// already ends in "AA" gets "BA", so the token really changes.
	tampered := tok[:len(tok)-2] + "AA"
	if tampered == tok {
		tampered = tok[:len(tok)-2] + "BA"
	}
	for _, tc := range []struct {
		name, body, ctype, want string
	}{
		{"valid", `"` + tok + `"`, "", `{"valid":true,"roles":["USER"]}`},
		{"garbage", `"abc"`, "", `{"valid":false,"roles":[]}`},
		{"another key", `"` + foreign + `"`, "", `{"valid":false,"roles":[]}`},
		{"tampered", `"` + tampered + `"`, "", `{"valid":false,"roles":[]}`},
		{"not a string", `{"token":1}`, "", `{"valid":false,"roles":[]}`},
		{"empty body", ``, "application/json", `{"valid":false,"roles":[]}`},
		{"wrong type", `"x"`, "text/plain", `{"valid":false,"roles":[]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "POST", path: "/token/check", body: tc.body, ctype: tc.ctype})
			require.Equal(t, http.StatusOK, rec.Code)
			assert.JSONEq(t, tc.want, rec.Body.String())
		})
	}
	t.Run("roles are the current ones", func(t *testing.T) {
		e.updateUser(t, "id-alice", func(u *user.User) { u.Roles = []string{"ADMIN", "USER"} })
		rec := e.do(t, nil, req{method: "POST", path: "/token/check", body: `"` + tok + `"`})
		assert.JSONEq(t, `{"valid":true,"roles":["ADMIN","USER"]}`, rec.Body.String())
	})
	t.Run("blocked", func(t *testing.T) {
		e.updateUser(t, "id-alice", func(u *user.User) { u.Blocked = true })
		rec := e.do(t, nil, req{method: "POST", path: "/token/check", body: `"` + tok + `"`})
		assert.JSONEq(t, `{"valid":false,"roles":[]}`, rec.Body.String())
	})
}

func TestPasswordChangeAcrossInstances(t *testing.T) {
	a := newAuthEnv(t, nil, nil, nil)
	// B shares A's store and keys, as two instances behind a balancer.
	b := newAuthEnv(t, a.store, a.clock, func(c *gatehouse.Config) { c.Keys = a.g.Keys() })
	a.addUser(t, "alice", "password1", nil)
	tokA := a.token(t, "alice", "password1")
	tokB := b.token(t, "alice", "password1")
	cookieB := b.cookie(t, "alice", "password1")
	for _, tok := range []string{tokA, tokB} {
		rec := b.do(t, b.protected(), req{method: "GET", path: "/x", header: bearer(tok)})
		require.Equal(t, http.StatusOK, rec.Code)
	}

	rec := a.do(t, nil, req{method: "POST", path: "/password", header: bearer(tokA), body: `{"current_password":"wrong","new_password":"password-2"}`})
	require.Equal(t, http.StatusForbidden, rec.Code, rec.Body.String())
	rec = a.do(t, nil, req{method: "POST", path: "/password", header: bearer(tokA), body: `{"current_password":"password1","new_password":"short"}`})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, decodeError(t, rec).Message, "new_password:")
	rec = a.do(t, nil, req{method: "POST", path: "/password", header: bearer(tokA), body: `{"current_password":"password1","new_password":"password-2"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	var newTok string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &newTok))

	for _, q := range []req{
		{method: "GET", path: "/x", header: bearer(tokA)},
		{method: "GET", path: "/x", header: bearer(tokB)},
		{method: "GET", path: "/x", cookie: cookieB.Value},
	} {
		rec := b.do(t, b.protected(), q)
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "older credentials die on the other instance at once")
	}
	rec = b.do(t, b.protected(), req{method: "GET", path: "/x", header: bearer(newTok)})
	assert.Equal(t, http.StatusOK, rec.Code)
	rec = b.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"password1"}`})
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	b.token(t, "alice", "password-2")
}

func TestPasswordChangeByReadOnlyUserWithCookie(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "reader", "password1", func(u *user.User) { u.Access = user.AccessReadOnly })
	c := e.cookie(t, "reader", "password1")
	rec := e.do(t, nil, req{method: "POST", path: "/password", cookie: c.Value, body: `{"current_password":"password1","new_password":"password-2"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var fresh string
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "SID" {
			fresh = ck.Value
		}
	}
	require.NotEmpty(t, fresh, "a cookie caller gets a new cookie")
	assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code)
	assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: fresh}).Code)
}

func TestCookieLogin(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	rec := e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`})
	require.Equal(t, http.StatusNoContent, rec.Code)
	assert.Empty(t, rec.Body.String(), "the body never echoes the id")
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	set := rec.Header().Get("Set-Cookie")
	for _, attr := range []string{"SID=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax", "Max-Age=86400"} {
		assert.Contains(t, set, attr)
	}
	assert.NotContains(t, set, "Domain")
	old := rec.Result().Cookies()[0]
	assert.True(t, session.ValidID(old.Value))

	t.Run("form login with an old cookie revokes it", func(t *testing.T) {
		rec := e.do(t, nil, req{method: "POST", path: "/login", body: "username=alice&password=password1", ctype: "application/x-www-form-urlencoded", cookie: old.Value})
		require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
		fresh := rec.Result().Cookies()[0]
		assert.NotEqual(t, old.Value, fresh.Value, "a new id every login")
		assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: old.Value}).Code)
		assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: fresh.Value}).Code)
	})
	t.Run("credentials in the query are refused", func(t *testing.T) {
		rec := e.do(t, nil, req{method: "POST", path: "/login?username=alice&password=password1", body: `{"username":"alice","password":"password1"}`})
		assert.Equal(t, http.StatusBadRequest, rec.Code)
	})
	t.Run("unknown JSON field", func(t *testing.T) {
		rec := e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1","admin":true}`})
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Equal(t, `"admin": unknown field`, decodeError(t, rec).Message)
	})
	t.Run("an id the server did not make is never stored", func(t *testing.T) {
		made := strings.Repeat("A", 43)
		rec := e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`, cookie: made})
		require.Equal(t, http.StatusNoContent, rec.Code)
		assert.NotEqual(t, made, rec.Result().Cookies()[0].Value)
		assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: made}).Code)
	})
	t.Run("insecure cookie by config", func(t *testing.T) {
		e2 := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.InsecureCookie = true })
		e2.addUser(t, "alice", "password1", nil)
		rec := e2.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`})
		assert.NotContains(t, rec.Header().Get("Set-Cookie"), "Secure")
	})
}

func TestLogout(t *testing.T) {
	for _, route := range []struct{ method, path string }{{"POST", "/logout"}, {"DELETE", "/session"}} {
		t.Run(route.method+" "+route.path, func(t *testing.T) {
			e := newAuthEnv(t, nil, nil, nil)
			e.addUser(t, "alice", "password1", func(u *user.User) { u.Access = user.AccessReadOnly })
			c1 := e.cookie(t, "alice", "password1")
			c2 := e.cookie(t, "alice", "password1")
			tok := e.token(t, "alice", "password1")
			rec := e.do(t, nil, req{method: route.method, path: route.path, cookie: c1.Value})
			require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Header().Get("Set-Cookie"), "Max-Age=0")
			assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c1.Value}).Code)
			assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c2.Value}).Code, "exactly one session ends")
			assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code)

			rec = e.do(t, nil, req{method: route.method, path: route.path, header: bearer(tok)})
			require.Equal(t, http.StatusNoContent, rec.Code)
			assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code)
			rec = e.do(t, nil, req{method: route.method, path: route.path, header: bearer(tok)})
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
		})
	}
}

func TestExpiryAndIdleHTTP(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Session.IdleTimeout = 10 * time.Minute
		c.Session.Token.Leeway = -1
	})
	e.addUser(t, "alice", "password1", nil)
	c := e.cookie(t, "alice", "password1")
	e.clock.Add(10*time.Minute - time.Second)
	require.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code)
	e.clock.Add(10*time.Minute + time.Second)
	require.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code)

	rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"password1","ttl_seconds":300}`})
	var tok string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	e.clock.Add(299 * time.Second)
	require.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code)
	e.clock.Add(2 * time.Second)
	require.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code)
}

func TestBlockedAndDeletedLockedOutAtOnce(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	e.addUser(t, "bob", "password1", nil)
	ta, tb := e.token(t, "alice", "password1"), e.token(t, "bob", "password1")
	e.updateUser(t, "id-alice", func(u *user.User) { u.Blocked = true })
	require.NoError(t, e.store.Users().DeleteUser(t.Context(), "id-bob"))
	for _, tok := range []string{ta, tb} {
		rec := e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)})
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Equal(t, `Bearer realm="UNIVERSAL", error="invalid_token"`, rec.Header().Get("WWW-Authenticate"), "the same challenge whatever the reason")
	}
}

func TestEpochMismatch(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	tok := e.token(t, "alice", "password1")
	e.updateUser(t, "id-alice", func(u *user.User) { u.SessionEpoch++ })
	assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code)
	require.NoError(t, e.g.Sessions().RevokeAll(t.Context(), "id-alice", session.Client{}))
}

func TestLogsHoldNoSecrets(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	tok := e.token(t, "alice", "password1")
	c := e.cookie(t, "alice", "password1")
	e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"secret-wrong"}`})
	e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok + "x")})
	e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value + "x"})
	e.do(t, e.protected(), req{method: "POST", path: "/x", cookie: c.Value, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	e.do(t, nil, req{method: "POST", path: "/logout", cookie: c.Value})
	e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value})
	logs := e.logs.String()
	require.NotEmpty(t, logs)
	for _, secret := range []string{"password1", "secret-wrong", tok, c.Value, session.HashID(c.Value)} {
		assert.NotContains(t, logs, secret)
	}
}

func TestRefusedLogoutKeepsTheCookie(t *testing.T) {
	for _, route := range []struct{ method, path string }{{"POST", "/logout"}, {"DELETE", "/session"}} {
		t.Run(route.method+" "+route.path, func(t *testing.T) {
			e := newAuthEnv(t, nil, nil, nil)
			e.addUser(t, "alice", "password1", nil)
			c := e.cookie(t, "alice", "password1")

			// A page on another site posts a form to the logout route.
			rec := e.do(t, nil, req{method: route.method, path: route.path, cookie: c.Value, ctype: "application/x-www-form-urlencoded", body: "x=1",
				header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}})
			require.Equal(t, http.StatusForbidden, rec.Code)
			assert.Empty(t, rec.Header().Values("Set-Cookie"), "a refused cross-site logout must not clear the cookie")
			assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code, "the session lives")

			// A stale cookie is still cleared.
			rec = e.do(t, nil, req{method: route.method, path: route.path, cookie: "stale-" + c.Value})
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Contains(t, rec.Header().Get("Set-Cookie"), "Max-Age=0")
		})
	}
}

func TestSessionCookieMoreThanOnce(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	c := e.cookie(t, "alice", "password1")
	for _, tc := range []struct {
		name, cookie string
		want         int
	}{
		{"once", "SID=" + c.Value, http.StatusOK},
		{"once among others", "theme=dark; SID=" + c.Value + "; lang=en", http.StatusOK},
		{"valid first, planted second", "SID=" + c.Value + "; SID=garbage", http.StatusUnauthorized},
		{"planted first, valid second", "SID=garbage; SID=" + c.Value, http.StatusUnauthorized},
		{"valid twice", "SID=" + c.Value + "; SID=" + c.Value, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, e.protected(), req{method: "GET", path: "/x", header: map[string]string{"Cookie": tc.cookie}})
			assert.Equal(t, tc.want, rec.Code, rec.Body.String())
			rec = e.do(t, nil, req{method: "GET", path: "/user", header: map[string]string{"Cookie": tc.cookie}})
			assert.Equal(t, tc.want, rec.Code, rec.Body.String())
		})
	}
}

func TestHostCookieName(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.CookieName = gatehouse.HostCookieName })
	e.addUser(t, "alice", "password1", nil)
	rec := e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`})
	require.Equal(t, http.StatusNoContent, rec.Code)
	set := rec.Header().Get("Set-Cookie")
	assert.True(t, strings.HasPrefix(set, "__Host-SID="), set)
	assert.Contains(t, set, "Secure")
	assert.Contains(t, set, "Path=/")
	assert.NotContains(t, set, "Domain")
	v := rec.Result().Cookies()[0].Value
	assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", header: map[string]string{"Cookie": "__Host-SID=" + v}}).Code)
	assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: v}).Code, "SID is not the cookie any more")

	_, err := gatehouse.New(gatehouse.Config{CookieName: gatehouse.HostCookieName, InsecureCookie: true})
	assert.Error(t, err, "a __Host- cookie must be Secure")
}

func TestBearerChallenge(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	tok := e.token(t, "alice", "password1")
	c := e.cookie(t, "alice", "password1")
	require.Equal(t, http.StatusNoContent, e.do(t, nil, req{method: "POST", path: "/logout", header: bearer(tok)}).Code)
	const plain, invalid = `Bearer realm="UNIVERSAL"`, `Bearer realm="UNIVERSAL", error="invalid_token"`
	for _, tc := range []struct {
		name   string
		q      req
		want   string
		reason string
	}{
		{"no credential", req{}, plain, "nothing presented: no error code (RFC 6750 §3.1)"},
		{"another scheme", req{header: map[string]string{"Authorization": "Basic YWxpY2U6cGFzc3dvcmQx"}}, plain, ""},
		{"empty bearer", req{header: map[string]string{"Authorization": "Bearer "}}, plain, ""},
		{"malformed token", req{header: bearer("not.a.token")}, invalid, ""},
		{"revoked token", req{header: bearer(tok)}, invalid, ""},
		{"dead cookie", req{cookie: "x" + c.Value}, plain, "a cookie is no bearer token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, h := range []http.Handler{e.protected(), nil} {
				q := tc.q
				q.method, q.path = "GET", "/x"
				if h == nil {
					q.path = "/user"
				}
				rec := e.do(t, h, q)
				require.Equal(t, http.StatusUnauthorized, rec.Code)
				assert.Equal(t, tc.want, rec.Header().Get("WWW-Authenticate"), tc.reason)
				assert.Equal(t, "not authenticated", decodeError(t, rec).Message, "the body stays generic")
			}
		})
	}
}

func TestTokenOutlivesCookieIdleHTTP(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.Session.Token.Leeway = -1 })
	e.addUser(t, "alice", "password1", nil)
	c := e.cookie(t, "alice", "password1")
	rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"alice","password":"password1","ttl_seconds":86400}`})
	require.Equal(t, http.StatusOK, rec.Code)
	var tok string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	e.clock.Add(31 * time.Minute)
	assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code, "the cookie idles out after 30 minutes")
	assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code, "the token does not")
	e.clock.Add(24*time.Hour - 31*time.Minute - time.Second)
	assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code, "it works for its whole ttl_seconds")
	e.clock.Add(2 * time.Second)
	assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code)
}

func TestLoginFindsTheUsernameUpToCase(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	tok := e.token(t, "ALICE", "password1")
	rec := e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)})
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "alice", rec.Body.String(), "the stored spelling")
	_, err := e.store.Users().CreateUser(context.Background(), user.User{ID: "id-Alice", Username: "Alice", Company: "acme"})
	assert.ErrorIs(t, err, storage.ErrConflict, "no second account under another case")
}

// revokeFails is a store whose session revocations fail.
type revokeFails struct{ storage.Store }

func (s revokeFails) Sessions() storage.SessionStore { return revokeFailsSessions{s.Store.Sessions()} }

type revokeFailsSessions struct{ storage.SessionStore }

func (revokeFailsSessions) RevokeSession(context.Context, string) error {
	return errors.New("connection reset")
}

func TestLogoutClearsTheCookieOnlyWhenTheSessionEnded(t *testing.T) {
	t.Run("a cross-site form without the cookie", func(t *testing.T) {
		// A SameSite=Lax cookie is not sent on a cross-site form post: the
		// request comes without it and gets 401, which must not clear the
		// cookie the browser still holds.
		e := newAuthEnv(t, nil, nil, nil)
		for _, path := range []string{"/logout", "/session"} {
			method := "POST"
			if path == "/session" {
				method = "DELETE"
			}
			rec := e.do(t, nil, req{method: method, path: path, ctype: "application/x-www-form-urlencoded", body: "x=1",
				header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}})
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Empty(t, rec.Header().Values("Set-Cookie"), "%s %s", method, path)
		}
	})
	t.Run("a failed revocation keeps it", func(t *testing.T) {
		clock := gatehousetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
		base := memstoreNew(clock)
		e := newAuthEnv(t, revokeFails{base}, clock, nil)
		e.addUser(t, "alice", "password1", nil)
		c := e.cookie(t, "alice", "password1")
		rec := e.do(t, nil, req{method: "POST", path: "/logout", cookie: c.Value})
		require.Equal(t, http.StatusServiceUnavailable, rec.Code)
		assert.Empty(t, rec.Header().Values("Set-Cookie"), "the session may still be live: the browser keeps its cookie")
	})
}

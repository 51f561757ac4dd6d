package gatehouse_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const formType = "application/x-www-form-urlencoded"

// submission is what a browser sends with a form it submits.
var submission = map[string]string{"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", "Accept": navigationAccept}

// withHeaders returns the submission headers with extra ones.
func withHeaders(extra map[string]string) map[string]string {
	h := map[string]string{}
	for k, v := range submission {
		h[k] = v
	}
	for k, v := range extra {
		h[k] = v
	}
	return h
}

// formLogin submits a login form, as a browser does, with the query and
// the extra headers.
func (e *authEnv) formLogin(t *testing.T, query, body string, cookie string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	path := "/login"
	if query != "" {
		path += "?" + query
	}
	return e.do(t, nil, req{method: "POST", path: path, ctype: formType, body: body, cookie: cookie, header: withHeaders(header)})
}

// sid returns the session cookie a response sets, or nil.
func sid(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "SID" {
			return c
		}
	}
	return nil
}

func TestFormLoginRedirectsToALocalNext(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	for _, tc := range []struct {
		name, query, next, want string
	}{
		{"no next", "", "", "/"},
		{"a next field", "", "/orders?page=2#top", "/orders?page=2#top"},
		{"a next query", "next=" + url.QueryEscape("/orders/7"), "", "/orders/7"},
		{"the field wins over the query", "next=%2Fa", "/b", "/b"},
		{"an escaped path is decoded before the check", "", "/%2F%2Fevil.example", "/"},
		{"a dot segment before two slashes", "", "/.//evil.example", "/"},
		{"an escaped dot segment", "", "/%2e//evil.example", "/"},
		{"a dot-dot segment", "", "/a/..//evil.example", "/"},
		{"an escaped backslash", "", "/%5Cevil.example", "/"},
		{"two slashes later", "", "/a//evil.example", "/"},
		{"protocol-relative", "", "//evil.example", "/"},
		{"protocol-relative with a backslash", "", `/\evil.example`, "/"},
		{"backslashes", "", `\\evil.example`, "/"},
		{"a backslash later", "", `/ok/..\..\evil`, "/"},
		{"an absolute URL", "", "https://evil.example/", "/"},
		{"a scheme without slashes", "", "https:evil.example", "/"},
		{"javascript", "", "javascript:alert(1)", "/"},
		{"escaped twice, decoded once", "", "%2F%2Fevil.example", "/"},
		{"escaped in the query, decoded once", "next=%2F%2Fevil.example", "", "/"},
		{"a tab after the slash", "", "/\t/evil.example", "/"},
		{"a header injection", "", "/x\r\nSet-Cookie: a=b", "/"},
		{"a leading space", "", " /orders", "/"},
		{"relative", "", "orders", "/"},
		{"too long", "", "/" + strings.Repeat("a", 2048), "/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := url.Values{"username": {"alice"}, "password": {"password1"}, "submit": {"Log in"}}
			if tc.next != "" {
				body.Set("next", tc.next)
			}
			rec := e.formLogin(t, tc.query, body.Encode(), "", nil)
			require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
			assert.Equal(t, tc.want, rec.Header().Get("Location"))
			c := sid(rec)
			require.NotNil(t, c, "the session cookie is set")
			assert.True(t, c.HttpOnly)
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
			assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code)
		})
	}
}

func TestFormLoginDefaultRedirectIsConfigurable(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.Web.DefaultRedirect = "/home" })
	e.addUser(t, "alice", "password1", nil)
	rec := e.formLogin(t, "", "username=alice&password=password1&next=//evil.example", "", nil)
	require.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/home", rec.Header().Get("Location"))
}

func TestFormLoginFailureGoesBackToTheLoginPage(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Web.LoginPage = "/signin?lang=en"
		c.Session.Throttle.PerUsername = session.Limit{MaxFailures: 2, WaitIncrement: 5 * time.Minute}
	})
	e.addUser(t, "alice", "password1", nil)
	e.addUser(t, "bob", "password2", func(u *user.User) { u.Blocked = true })

	for _, tc := range []struct{ name, body, want string }{
		{"wrong password", "username=alice&password=wrong1&next=/orders", "/signin?error=invalid&lang=en&next=%2Forders"},
		{"unknown user", "username=nobody&password=wrong1", "/signin?error=invalid&lang=en"},
		{"blocked user", "username=bob&password=password2", "/signin?error=invalid&lang=en"},
		{"no password", "username=alice", "/signin?error=invalid&lang=en"},
		{"empty username", "username=&password=x", "/signin?error=invalid&lang=en"},
		{"username twice", "username=alice&username=bob&password=password1", "/signin?error=invalid&lang=en"},
		{"a next elsewhere is dropped", "username=carol&password=x&next=//evil.example", "/signin?error=invalid&lang=en"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.formLogin(t, "", tc.body, "", nil)
			require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
			assert.Equal(t, tc.want, rec.Header().Get("Location"))
			assert.Nil(t, sid(rec), "no session")
		})
	}

	t.Run("locked, with the retry time", func(t *testing.T) {
		// The wrong password above and one more lock alice for five minutes.
		rec := e.formLogin(t, "", "username=alice&password=wrong1", "", nil)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		rec = e.formLogin(t, "next=%2Forders", "username=alice&password=password1", "", nil)
		require.Equal(t, http.StatusSeeOther, rec.Code)
		assert.Equal(t, "/signin?error=locked&lang=en&next=%2Forders&retry_after=300", rec.Header().Get("Location"))
		assert.Nil(t, sid(rec))

		// A JSON client keeps its 429.
		rec = e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`})
		require.Equal(t, http.StatusTooManyRequests, rec.Code)
		assert.Equal(t, "300", rec.Header().Get("Retry-After"))
		assert.Equal(t, "too many attempts; retry later", decodeError(t, rec).Message)
	})
}

func TestFormLoginUnavailable(t *testing.T) {
	store := &failingUsersStore{}
	e := newAuthEnv(t, nil, nil, nil)
	store.Store = e.store
	e = newAuthEnv(t, store, e.clock, nil)
	rec := e.formLogin(t, "", "username=alice&password=password1&next=/x", "", nil)
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "/login?error=unavailable&next=%2Fx", rec.Header().Get("Location"))
	assert.Contains(t, e.logs.String(), `"status":503`, "the failure is logged")
}

// failingUsersStore is a store whose user reads fail.
type failingUsersStore struct{ storage.Store }

func (s *failingUsersStore) Users() storage.UserStore { return failingUsers{s.Store.Users()} }

type failingUsers struct{ storage.UserStore }

func (failingUsers) GetUserByUsername(context.Context, string) (user.User, error) {
	return user.User{}, errors.New("connection refused")
}

func TestFormLoginFailedHook(t *testing.T) {
	var got gatehouse.LoginFailure
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Web.LoginFailed = func(w http.ResponseWriter, r *http.Request, f gatehouse.LoginFailure) {
			got = f
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte("<p>Wrong username or password.</p>"))
		}
	})
	e.addUser(t, "alice", "password1", nil)
	rec := e.formLogin(t, "", "username=alice&password=nope&next=/orders", "", nil)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, "<p>Wrong username or password.</p>", rec.Body.String())
	assert.Equal(t, gatehouse.LoginInvalid, got.Code)
	assert.Equal(t, "/orders", got.Next)
	require.NotNil(t, got.Err)
	assert.Equal(t, http.StatusUnauthorized, got.Err.Status)
	assert.Equal(t, "invalid username or password", got.Err.Message)
}

func TestFormLoginRefusals(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	t.Run("a cross-origin form is 403 and gets no session", func(t *testing.T) {
		rec := e.formLogin(t, "", "username=alice&password=password1&next=/", "", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
		require.Equal(t, http.StatusForbidden, rec.Code)
		assert.Equal(t, "cross-origin request refused", decodeError(t, rec).Message)
		assert.Nil(t, sid(rec))
	})
	t.Run("credentials in the query of a form", func(t *testing.T) {
		rec := e.formLogin(t, "username=alice&password=password1", "", "", nil)
		require.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, decodeError(t, rec).Message, "query: not allowed")
	})
	t.Run("next and more in the query", func(t *testing.T) {
		rec := e.formLogin(t, "next=%2F&password=password1", "username=alice", "", nil)
		require.Equal(t, http.StatusBadRequest, rec.Code)
	})
	t.Run("a next query on a JSON login", func(t *testing.T) {
		rec := e.do(t, nil, req{method: "POST", path: "/login?next=%2F", body: `{"username":"alice","password":"password1"}`})
		require.Equal(t, http.StatusBadRequest, rec.Code, "JSON stays strict")
		assert.Equal(t, "query: not allowed; send the credentials in the body (location)", decodeError(t, rec).Message, "the message of before")
		assert.Nil(t, sid(rec))
	})
	t.Run("a script's or tool's form-encoded login keeps the JSON answers", func(t *testing.T) {
		for name, h := range map[string]map[string]string{
			"curl -d":                    nil,
			"fetch with URLSearchParams": {"Sec-Fetch-Mode": "cors", "Accept": "*/*"},
			"XHR accepting HTML":         {"Sec-Fetch-Mode": "cors", "Accept": "text/html"},
		} {
			rec := e.do(t, nil, req{method: "POST", path: "/login", ctype: formType, body: "username=alice&password=password1&next=/x", header: h})
			require.Equal(t, http.StatusNoContent, rec.Code, name)
			assert.Empty(t, rec.Header().Get("Location"), name)
			assert.NotNil(t, sid(rec), name)
			rec = e.do(t, nil, req{method: "POST", path: "/login", ctype: formType, body: "username=alice&password=wrong", header: h})
			require.Equal(t, http.StatusUnauthorized, rec.Code, name+": a failure never looks like a followed redirect")
			assert.Equal(t, "invalid username or password", decodeError(t, rec).Message)
		}
	})
	t.Run("a JSON login is still 204", func(t *testing.T) {
		rec := e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`})
		require.Equal(t, http.StatusNoContent, rec.Code)
		assert.Empty(t, rec.Header().Get("Location"))
		assert.NotNil(t, sid(rec))
		rec = e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"wrong"}`})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Equal(t, "invalid username or password", decodeError(t, rec).Message)
	})
	t.Run("a multipart form", func(t *testing.T) {
		body := "--b\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nalice\r\n" +
			"--b\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\npassword1\r\n" +
			"--b\r\nContent-Disposition: form-data; name=\"next\"\r\n\r\n/m\r\n--b--\r\n"
		rec := e.do(t, nil, req{method: "POST", path: "/login", ctype: "multipart/form-data; boundary=b", body: body, header: submission})
		require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
		assert.Equal(t, "/m", rec.Header().Get("Location"))
		assert.NotNil(t, sid(rec))
	})
}

func TestFormLogout(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)

	t.Run("ends the session and goes to next", func(t *testing.T) {
		c := e.cookie(t, "alice", "password1")
		rec := e.do(t, nil, req{method: "POST", path: "/logout", ctype: formType, body: "next=/bye&submit=Log+out", cookie: c.Value, header: submission})
		require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
		assert.Equal(t, "/bye", rec.Header().Get("Location"))
		assert.Contains(t, rec.Header().Get("Set-Cookie"), "Max-Age=0")
		assert.Equal(t, http.StatusUnauthorized, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code)
	})
	t.Run("a next elsewhere goes to the default", func(t *testing.T) {
		c := e.cookie(t, "alice", "password1")
		rec := e.do(t, nil, req{method: "POST", path: "/logout", ctype: formType, body: "next=https://evil.example", cookie: c.Value, header: submission})
		require.Equal(t, http.StatusSeeOther, rec.Code)
		assert.Equal(t, "/", rec.Header().Get("Location"))
	})
	t.Run("without a session the browser is logged out anyway", func(t *testing.T) {
		rec := e.do(t, nil, req{method: "POST", path: "/logout", ctype: formType, body: "next=/bye", cookie: "stale", header: submission})
		require.Equal(t, http.StatusSeeOther, rec.Code)
		assert.Equal(t, "/bye", rec.Header().Get("Location"))
		assert.Contains(t, rec.Header().Get("Set-Cookie"), "Max-Age=0", "the dead cookie goes")
	})
	t.Run("a cross-origin form is 403 and keeps the session", func(t *testing.T) {
		c := e.cookie(t, "alice", "password1")
		for _, cookie := range []string{c.Value, ""} {
			rec := e.do(t, nil, req{method: "POST", path: "/logout", ctype: formType, body: "next=/", cookie: cookie,
				header: withHeaders(map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:9999"})})
			require.Contains(t, []int{http.StatusForbidden, http.StatusUnauthorized}, rec.Code)
			assert.Empty(t, rec.Header().Get("Location"), "no redirect")
			assert.Empty(t, rec.Header().Values("Set-Cookie"), "the cookie stays")
		}
		assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code)
	})
	t.Run("a script's or tool's form-encoded logout is still 204", func(t *testing.T) {
		for _, h := range []map[string]string{nil, {"Sec-Fetch-Mode": "cors", "Accept": "text/html"}} {
			c := e.cookie(t, "alice", "password1")
			rec := e.do(t, nil, req{method: "POST", path: "/logout", ctype: formType, body: "next=/bye", cookie: c.Value, header: h})
			require.Equal(t, http.StatusNoContent, rec.Code)
			assert.Empty(t, rec.Header().Get("Location"))
		}
		c := e.cookie(t, "alice", "password1")
		rec := e.do(t, nil, req{method: "DELETE", path: "/session", ctype: formType, body: "next=/bye", cookie: c.Value, header: submission})
		require.Equal(t, http.StatusNoContent, rec.Code, "no form sends DELETE")
	})
	t.Run("a JSON logout is still 204", func(t *testing.T) {
		c := e.cookie(t, "alice", "password1")
		rec := e.do(t, nil, req{method: "POST", path: "/logout", cookie: c.Value})
		require.Equal(t, http.StatusNoContent, rec.Code)
		rec = e.do(t, nil, req{method: "POST", path: "/logout", cookie: c.Value})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
	})
}

// page is a host page that names its caller, or "anonymous".
func page() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := session.FromContext(r.Context()); ok {
			_, _ = w.Write([]byte("hello " + a.User.Username))
			return
		}
		_, _ = w.Write([]byte("anonymous"))
	})
}

const navigationAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

func TestRequireLoginSendsABrowserToTheLoginPage(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.Web.LoginPage = "/signin" })
	e.addUser(t, "alice", "password1", nil)
	h := e.g.RequireLogin(page())

	t.Run("a navigation", func(t *testing.T) {
		for _, method := range []string{"GET", "HEAD"} {
			rec := e.do(t, h, req{method: method, path: "/account?tab=sessions", header: map[string]string{"Accept": navigationAccept, "Sec-Fetch-Mode": "navigate"}})
			require.Equal(t, http.StatusSeeOther, rec.Code)
			assert.Equal(t, "/signin?next=%2Faccount%3Ftab%3Dsessions", rec.Header().Get("Location"))
		}
	})
	t.Run("a stale cookie", func(t *testing.T) {
		rec := e.do(t, h, req{method: "GET", path: "/account", cookie: "stale", header: map[string]string{"Accept": "text/html"}})
		require.Equal(t, http.StatusSeeOther, rec.Code)
		assert.Equal(t, "/signin?next=%2Faccount", rec.Header().Get("Location"))
	})
	t.Run("behind StripPrefix the next is the page asked for", func(t *testing.T) {
		srv := httptest.NewServer(http.StripPrefix("/app", h))
		defer srv.Close()
		rq, _ := http.NewRequest("GET", srv.URL+"/app/account", nil)
		rq.Header.Set("Accept", "text/html")
		res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(rq)
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, "/signin?next=%2Fapp%2Faccount", res.Header.Get("Location"))
	})
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
	}{
		{"an API call", "GET", map[string]string{"Accept": "application/json"}},
		{"curl", "GET", map[string]string{"Accept": "*/*"}},
		{"no Accept", "GET", nil},
		{"html refused by quality", "GET", map[string]string{"Accept": "text/html;q=0, application/json"}},
		{"a fetch from a script", "GET", map[string]string{"Accept": "text/html", "Sec-Fetch-Mode": "cors"}},
		{"a form post", "POST", map[string]string{"Accept": "text/html"}},
	} {
		t.Run(tc.name+" keeps the JSON 401", func(t *testing.T) {
			rec := e.do(t, h, req{method: tc.method, path: "/account", header: tc.header})
			require.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Empty(t, rec.Header().Get("Location"))
			assert.Equal(t, "not authenticated", decodeError(t, rec).Message)
		})
	}
	t.Run("a live session passes", func(t *testing.T) {
		c := e.cookie(t, "alice", "password1")
		rec := e.do(t, h, req{method: "GET", path: "/account", cookie: c.Value, header: map[string]string{"Accept": "text/html"}})
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "hello alice", rec.Body.String())
	})
	t.Run("a read-only user's post is refused, not redirected", func(t *testing.T) {
		e.addUser(t, "ro", "password1", func(u *user.User) { u.Access = user.AccessReadOnly })
		c := e.cookie(t, "ro", "password1")
		rec := e.do(t, h, req{method: "POST", path: "/account", cookie: c.Value, header: map[string]string{"Accept": "text/html"}})
		require.Equal(t, http.StatusForbidden, rec.Code)
	})
}

func TestOptionalAuthenticate(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	h := e.g.OptionalAuthenticate(page())
	c := e.cookie(t, "alice", "password1")
	tok := e.token(t, "alice", "password1")
	for _, tc := range []struct {
		name string
		q    req
		want string
	}{
		{"anonymous", req{method: "GET", path: "/"}, "anonymous"},
		{"a live cookie", req{method: "GET", path: "/", cookie: c.Value}, "hello alice"},
		{"a live token", req{method: "GET", path: "/", header: bearer(tok)}, "hello alice"},
		{"a stale cookie", req{method: "GET", path: "/", cookie: "stale"}, "anonymous"},
		{"a forged token", req{method: "GET", path: "/", header: bearer(tok[:len(tok)-4] + "AAAA")}, "anonymous"},
		{"another scheme", req{method: "GET", path: "/", header: map[string]string{"Authorization": "Basic YTpi"}}, "anonymous"},
		{"a cross-origin post with the cookie", req{method: "POST", path: "/", cookie: c.Value, header: map[string]string{"Sec-Fetch-Site": "cross-site"}}, "anonymous"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.do(t, h, tc.q)
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, tc.want, rec.Body.String())
		})
	}
	t.Run("a failing store is anonymous, and logged", func(t *testing.T) {
		f := newAuthEnv(t, sessionsFail{e.store}, e.clock, nil)
		rec := f.do(t, f.g.OptionalAuthenticate(page()), req{method: "GET", path: "/", cookie: c.Value})
		require.Equal(t, http.StatusOK, rec.Code)
		assert.Equal(t, "anonymous", rec.Body.String())
		assert.Contains(t, f.logs.String(), `"status":503`)
	})
}

// sessionsFail is a store whose session reads fail.
type sessionsFail struct{ storage.Store }

func (s sessionsFail) Sessions() storage.SessionStore { return sessionsFailStore{s.Store.Sessions()} }

type sessionsFailStore struct{ storage.SessionStore }

func (sessionsFailStore) GetSession(context.Context, string) (storage.Session, error) {
	return storage.Session{}, errors.New("connection reset")
}

func TestRefusedHook(t *testing.T) {
	var got []int
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Web.Refused = func(w http.ResponseWriter, r *http.Request, refusal *gatehouse.Error) {
			got = append(got, refusal.Status)
			if refusal.Err != nil {
				panic("the hook sees the cause: " + refusal.Err.Error())
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(refusal.Status)
			_, _ = w.Write([]byte("<h1>" + http.StatusText(refusal.Status) + "</h1>"))
		}
	})
	e.addUser(t, "alice", "password1", nil)
	c := e.cookie(t, "alice", "password1")
	h := e.g.Authenticate(e.g.RequireEntity("Customer", permissions.OpDelete)(page()))

	rec := e.do(t, h, req{method: "GET", path: "/x"})
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, "<h1>Unauthorized</h1>", rec.Body.String())
	assert.NotEmpty(t, rec.Header().Get("X-Trace-Code"))
	assert.Equal(t, `Bearer realm="UNIVERSAL"`, rec.Header().Get("WWW-Authenticate"))

	rec = e.do(t, h, req{method: "GET", path: "/x", header: bearer("forged.token.value")})
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, `Bearer realm="UNIVERSAL", error="invalid_token"`, rec.Header().Get("WWW-Authenticate"))
	got = got[:1]

	rec = e.do(t, h, req{method: "GET", path: "/x", cookie: c.Value})
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "<h1>Forbidden</h1>", rec.Body.String())

	rec = e.do(t, h, req{method: "POST", path: "/x", cookie: c.Value, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, []int{401, 403, 403}, got)
	assert.Contains(t, e.logs.String(), "forbidden: Customer:delete", "refusals are still logged")

	// The API's own handler keeps its JSON errors.
	rec = e.do(t, nil, req{method: "GET", path: "/user"})
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.Equal(t, "not authenticated", decodeError(t, rec).Message)
	assert.Len(t, got, 3)
}

func TestRefusedHookGetsTheReason(t *testing.T) {
	var reasons []string
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Web.Refused = func(w http.ResponseWriter, r *http.Request, refusal *gatehouse.Error) {
			reasons = append(reasons, refusal.Reason)
			w.WriteHeader(refusal.Status)
		}
	})
	e.addUser(t, "alice", "password1", nil)
	e.addUser(t, "ro", "password1", func(u *user.User) { u.Access = user.AccessReadOnly })
	alice := e.cookie(t, "alice", "password1")
	ro := e.cookie(t, "ro", "password1")
	h := e.g.Authenticate(e.g.RequireEntity("Customer", permissions.OpUpdate)(page()))
	e.do(t, h, req{method: "GET", path: "/x"})
	e.do(t, h, req{method: "POST", path: "/x", cookie: alice.Value, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	e.do(t, h, req{method: "POST", path: "/x", cookie: ro.Value})
	e.do(t, h, req{method: "POST", path: "/x", cookie: alice.Value})
	f := newAuthEnv(t, sessionsFail{e.store}, e.clock, func(c *gatehouse.Config) {
		c.Web.Refused = func(w http.ResponseWriter, r *http.Request, refusal *gatehouse.Error) {
			reasons = append(reasons, refusal.Reason)
			w.WriteHeader(refusal.Status)
		}
	})
	f.do(t, f.g.Authenticate(page()), req{method: "GET", path: "/x", cookie: alice.Value})
	assert.Equal(t, []string{gatehouse.RefusedUnauthenticated, gatehouse.RefusedCrossOrigin, gatehouse.RefusedReadOnly,
		gatehouse.RefusedForbidden, gatehouse.RefusedUnavailable}, reasons)
}

func TestRequireLoginOwnCredentials(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "ro", "password1", func(u *user.User) { u.Access = user.AccessReadOnly })
	c := e.cookie(t, "ro", "password1")
	post := req{method: "POST", path: "/account/password", cookie: c.Value, ctype: formType, body: "x=1"}

	rec := e.do(t, e.g.RequireLogin(page()), post)
	require.Equal(t, http.StatusForbidden, rec.Code, "RequireLogin keeps the read-only cap")

	own := e.g.RequireLoginOwnCredentials(page())
	rec = e.do(t, own, post)
	require.Equal(t, http.StatusOK, rec.Code, "a read-only user changes its own credentials")
	assert.Equal(t, "hello ro", rec.Body.String())

	post.header = map[string]string{"Sec-Fetch-Site": "cross-site"}
	rec = e.do(t, own, post)
	assert.Equal(t, http.StatusForbidden, rec.Code, "the cross-origin check stays")

	rec = e.do(t, own, req{method: "GET", path: "/account", header: map[string]string{"Accept": "text/html"}})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	assert.Equal(t, "/login?next=%2Faccount", rec.Header().Get("Location"))
}

func TestRefusedHookCannotChangeOtherAnswers(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Web.Refused = func(w http.ResponseWriter, r *http.Request, refusal *gatehouse.Error) {
			refusal.Status, refusal.Message = http.StatusSeeOther, "Bitte melden Sie sich an"
			http.Redirect(w, r, "/login", refusal.Status)
		}
	})
	h := e.g.Authenticate(page())
	for range 2 {
		rec := e.do(t, h, req{method: "GET", path: "/x"})
		require.Equal(t, http.StatusSeeOther, rec.Code)
	}
	rec := e.do(t, nil, req{method: "GET", path: "/userInfo"})
	require.Equal(t, http.StatusUnauthorized, rec.Code, "the API's answer is its own")
	assert.Equal(t, "not authenticated", decodeError(t, rec).Message)
}

func TestCrossOriginConfig(t *testing.T) {
	proxied := map[string]string{"Origin": "https://www.example.com"} // Host is example.com (httptest)
	sibling := map[string]string{"Origin": "https://app.example.com", "Sec-Fetch-Site": "same-site"}
	evil := map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}

	t.Run("refused by default", func(t *testing.T) {
		e := newAuthEnv(t, nil, nil, nil)
		e.addUser(t, "alice", "password1", nil)
		c := e.cookie(t, "alice", "password1")
		for _, h := range []map[string]string{proxied, sibling, evil} {
			rec := e.do(t, e.protected(), req{method: "POST", path: "/x", cookie: c.Value, header: h})
			assert.Equal(t, http.StatusForbidden, rec.Code, h)
			assert.Empty(t, rec.Header().Values("Set-Cookie"))
		}
	})
	t.Run("trusted origins and bypass patterns", func(t *testing.T) {
		e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
			c.CrossOrigin.TrustedOrigins = []string{"https://www.example.com", "https://app.example.com"}
			c.CrossOrigin.InsecureBypassPatterns = []string{"POST /hooks/"}
		})
		e.addUser(t, "alice", "password1", nil)
		c := e.cookie(t, "alice", "password1")
		for _, h := range []map[string]string{proxied, sibling} {
			rec := e.do(t, e.protected(), req{method: "POST", path: "/x", cookie: c.Value, header: h})
			assert.Equal(t, http.StatusOK, rec.Code, h)
			rec = e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`, header: h})
			assert.Equal(t, http.StatusNoContent, rec.Code, "login from a trusted origin")
		}
		rec := e.do(t, e.protected(), req{method: "POST", path: "/x", cookie: c.Value, header: evil})
		assert.Equal(t, http.StatusForbidden, rec.Code, "another origin is still refused")
		rec = e.do(t, e.protected(), req{method: "POST", path: "/hooks/github", cookie: c.Value, header: evil})
		assert.Equal(t, http.StatusOK, rec.Code, "a bypassed route")
	})
	t.Run("New refuses bad settings", func(t *testing.T) {
		for name, mod := range map[string]func(*gatehouse.Config){
			"an origin with a path":      func(c *gatehouse.Config) { c.CrossOrigin.TrustedOrigins = []string{"https://a.example/x"} },
			"not an origin":              func(c *gatehouse.Config) { c.CrossOrigin.TrustedOrigins = []string{"a.example"} },
			"an invalid pattern":         func(c *gatehouse.Config) { c.CrossOrigin.InsecureBypassPatterns = []string{"POST /{x"} },
			"an empty pattern":           func(c *gatehouse.Config) { c.CrossOrigin.InsecureBypassPatterns = []string{" "} },
			"conflicting patterns":       func(c *gatehouse.Config) { c.CrossOrigin.InsecureBypassPatterns = []string{"/a/{x}", "/a/{y}"} },
			"a login page elsewhere":     func(c *gatehouse.Config) { c.Web.LoginPage = "https://evil.example/login" },
			"a relative login page":      func(c *gatehouse.Config) { c.Web.LoginPage = "login" },
			"a default redirect offsite": func(c *gatehouse.Config) { c.Web.DefaultRedirect = "//evil.example" },
		} {
			t.Run(name, func(t *testing.T) {
				cfg := gatehouse.Config{}
				mod(&cfg)
				_, err := gatehouse.New(cfg)
				assert.Error(t, err)
			})
		}
	})
}

func TestLoginURL(t *testing.T) {
	g, err := gatehouse.New(gatehouse.Config{Web: gatehouse.WebConfig{LoginPage: "/signin?lang=de"}})
	require.NoError(t, err)
	defer g.Close()
	assert.Equal(t, "/signin?lang=de&next=%2Forders%3Fp%3D1", g.LoginURL("/orders?p=1"))
	assert.Equal(t, "/signin?lang=de", g.LoginURL("//evil.example"))
	assert.Equal(t, "/signin?lang=de", g.LoginURL(""))
}

func TestIsLocalPath(t *testing.T) {
	for s, want := range map[string]bool{
		"/": true, "/a/b?c=d#e": true, "/a/?x=//y#//z": true, "/ä": true, "/a%20b": true,
		"/%2F%2Fevil": false, "/.//evil": false, "/%2e//evil": false, "/%2E%2E//evil": false, "/a/..//evil": false,
		"/%5Cevil": false, "/a//b": false, "/a/./b": false, "/%zz": false, "/%00": false,
		"": false, "a": false, "//evil": false, `/\evil`: false, `/a\b`: false, "https://evil": false,
		"http:/evil": false, "/\x00": false, "/\u0085": false, "/\x7f": false, "\x00/": false, "/\xff": false,
	} {
		assert.Equal(t, want, gatehouse.IsLocalPath(s), "%q", s)
	}
}

// FuzzIsLocalPath checks that a browser resolving a path IsLocalPath
// accepts, against any page of the app, stays on the app's origin.
func FuzzIsLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/a?b#c", "//evil", `/\evil`, "/%2F/x", "/.//evil", "/\t/evil", "https://x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/dir/page?q=1")
	f.Fuzz(func(t *testing.T, s string) {
		if !gatehouse.IsLocalPath(s) {
			return
		}
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("IsLocalPath(%q) but it does not parse: %v", s, err)
		}
		if got := base.ResolveReference(u); got.Host != "app.example" || got.Scheme != "https" || strings.HasPrefix(got.Path, "//") {
			t.Fatalf("IsLocalPath(%q) but it resolves to %s", s, got)
		}
		// A browser decodes %2e as a dot: decoded, the path must not
		// become "//host" either.
		decoded, err := url.PathUnescape(u.EscapedPath())
		if err != nil {
			t.Fatalf("IsLocalPath(%q) but its path does not decode: %v", s, err)
		}
		if got := base.ResolveReference(&url.URL{Path: decoded}); strings.HasPrefix(got.Path, "//") || strings.Contains(decoded, `\`) {
			t.Fatalf("IsLocalPath(%q) but decoded it resolves to %s", s, got.Path)
		}
	})
}

func TestRefusedHookAnswersRefusedBrowserForms(t *testing.T) {
	var reasons []string
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Web.Refused = func(w http.ResponseWriter, r *http.Request, refusal *gatehouse.Error) {
			reasons = append(reasons, refusal.Reason)
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(refusal.Status)
			_, _ = w.Write([]byte("<p>refused</p>"))
		}
	})
	e.addUser(t, "alice", "password1", nil)
	c := e.cookie(t, "alice", "password1")
	cross := withHeaders(map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"})
	for _, q := range []req{
		{method: "POST", path: "/login", ctype: formType, body: "username=alice&password=password1", header: cross},
		{method: "POST", path: "/logout", ctype: formType, body: "next=/", cookie: c.Value, header: cross},
	} {
		rec := e.do(t, nil, q)
		require.Equal(t, http.StatusForbidden, rec.Code, q.path)
		assert.Equal(t, "<p>refused</p>", rec.Body.String(), q.path)
		assert.Empty(t, rec.Header().Values("Set-Cookie"), q.path)
	}
	assert.Equal(t, []string{gatehouse.RefusedCrossOrigin, gatehouse.RefusedCrossOrigin}, reasons)

	// A JSON client, or a script, refused the same way keeps the JSON body.
	rec := e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"alice","password":"password1"}`, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	require.Equal(t, http.StatusForbidden, rec.Code)
	assert.Equal(t, "cross-origin request refused", decodeError(t, rec).Message)
	assert.Len(t, reasons, 2)
	assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code, "the session lives")
}

package gatehouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// referenceSession returns what GET /session served before it encoded
// the document itself: json.Marshal of Gatehouse.SessionDocument (through
// SessionDocument.MarshalJSON) and a newline, for the caller of c now.
func referenceSession(t *testing.T, g *gatehouse.Gatehouse, c session.Credential) []byte {
	t.Helper()
	ctx := context.Background()
	a, err := g.Sessions().Authenticate(ctx, c)
	require.NoError(t, err)
	doc, err := g.SessionDocument(ctx, a)
	require.NoError(t, err)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	return append(b, '\n')
}

// credential is a caller of GET /session, as the handler and the session
// manager see it.
type credential struct {
	header map[string]string
	cookie string
	cred   session.Credential
}

func bearerCredential(tok string) credential {
	return credential{header: bearer(tok), cred: session.Credential{Bearer: tok}}
}

func cookieCredential(c *http.Cookie) credential {
	return credential{cookie: c.Value, cred: session.Credential{SessionID: c.Value}}
}

// served serves GET /session to c and requires it to be the reference
// document, byte for byte, with writeJSON's headers; it returns the body.
func (e *authEnv) served(t *testing.T, c credential) string {
	t.Helper()
	rec := e.do(t, nil, req{method: "GET", path: "/session", header: c.header, cookie: c.cookie})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	want := referenceSession(t, e.g, c.cred)
	require.Equal(t, string(want), rec.Body.String(), "GET /session differs from json.Marshal(SessionDocument)")
	return rec.Body.String()
}

// trickyValues are strings encoding/json escapes (or not) in ways an
// encoder of its own could get wrong.
var trickyValues = []string{
	"", "plain", `q"b\s/`, "<script>&amp;</script>", "\u2028\u2029", "tab\tnl\n\x00\x1f\x7f",
	"bad \xff utf8", "日本語", "😀", "ключ", "\ufffd",
}

// Random users, roles, parameters, locales and sections: GET /session
// serves each user exactly what encoding/json made of the document.
func TestSessionServedAsEncodingJSONRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	pick := func() string {
		return trickyValues[r.IntN(len(trickyValues))] + trickyValues[r.IntN(len(trickyValues))]
	}
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.DefaultLocale = "de<&>"
		c.Specifics = []string{"declared_one"}
		c.SessionSections = map[string]gatehouse.SessionSection{
			"domain": gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) { return "<example>&", nil }),
			"events": gatehouse.SessionSectionFunc(func(_ context.Context, a *session.Auth) (any, error) {
				return []map[string]any{{"manager": a.User.ID, "n": len(a.User.Attributes), "nil": nil}}, nil
			}),
			"aaa": gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) { return nil, nil }),
			"zzz": gatehouse.SessionSectionFunc(func(_ context.Context, a *session.Auth) (any, error) {
				return map[string]string{"title": a.User.Name}, nil
			}),
		}
	})
	seedPolicy(t, e)
	ctx := context.Background()
	require.NoError(t, e.store.Roles().PutRole(ctx, permissions.Role{Code: "tricky",
		Params:    []permissions.Param{{Code: "show_header", Value: pick()}, {Code: "weird", Value: pick()}},
		Specifics: []string{"*"}}))
	require.NoError(t, e.store.Parameters().PutParameter(ctx, storage.Parameter{Code: "weird", Title: pick(), Value: pick()}))
	require.NoError(t, e.store.Parameters().PutParameter(ctx, storage.Parameter{Code: "a<b", Value: pick()}))

	roleSets := [][]string{nil, {}, {"viewer"}, {"sales"}, {"sales", "viewer"}, {"tricky"}, {"viewer", "tricky", "sales"}}
	for i := range 40 {
		name := fmt.Sprintf("u%d", i)
		e.addUser(t, name, "pw", func(u *user.User) {
			u.Roles = roleSets[r.IntN(len(roleSets))]
			u.Admin = r.IntN(5) == 0
			if r.IntN(4) == 0 {
				u.Access = user.AccessReadOnly
			}
			if r.IntN(2) == 0 {
				u.Name, u.Email = "Name "+pick(), name+"@example.com"
			}
			if r.IntN(2) == 0 {
				u.Locale = []string{"en", "ru-RU", "zh-Hant-TW"}[r.IntN(3)]
			}
			switch r.IntN(3) {
			case 0: // no attributes
			case 1:
				u.Attributes = map[string]string{}
			default:
				u.Attributes = map[string]string{"dep_id": pick(), "id": "not-the-id", "login": "x", pick() + "k": pick()}
			}
			if r.IntN(2) == 0 {
				u.Parameters = map[string]string{"show_footer": pick(), "weird": pick(), "unknown": "x"}
			}
		})
		c := bearerCredential(e.token(t, name, "pw"))
		body := e.served(t, c)
		assert.Contains(t, body, `"id":"id-`+name+`"`)
		e.served(t, c) // a second time, from what the first kept
	}
}

// Every change that the document depends on is served on the next
// request: of the user, of the user's roles, of a role, of the system
// parameters, of the declared specifics; two users with the same roles
// (one permission set) never get each other's document, and a session
// ended is refused rather than answered with what an earlier request
// encoded.
func TestSessionServedFresh(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	seedPolicy(t, e)
	ctx := context.Background()
	for _, name := range []string{"alice", "bob"} {
		e.addUser(t, name, "pw", func(u *user.User) {
			u.Roles = []string{"sales"}
			u.Attributes = map[string]string{"dep_id": "1"}
		})
	}
	e.addUser(t, "root", "pw", func(u *user.User) { u.Admin = true })
	alice := cookieCredential(e.cookie(t, "alice", "pw"))
	aliceToken := bearerCredential(e.token(t, "alice", "pw"))
	bob := bearerCredential(e.token(t, "bob", "pw"))
	root := bearerCredential(e.token(t, "root", "pw"))
	callers := map[string]credential{"alice": alice, "bob": bob, "root": root}

	last := map[string]string{}
	for name, c := range callers {
		last[name] = e.served(t, c)
	}
	assert.NotEqual(t, last["alice"], last["bob"])
	assert.Equal(t, last["alice"], e.served(t, aliceToken), "a token and a cookie of one user: one document")
	assert.Equal(t, strings.Replace(last["alice"], "alice", "bob", -1), last["bob"],
		"one permission set, two users: each their own sessioninfo")

	// step changes something, then requires the callers in changed to be
	// served something new and the others what they were served before.
	step := func(what string, change func(), changed ...string) {
		t.Helper()
		change()
		for name, c := range callers {
			body := e.served(t, c)
			if contains(changed, name) {
				assert.NotEqual(t, last[name], body, "%s: %s is served what it was before", what, name)
			} else {
				assert.Equal(t, last[name], body, "%s: %s is served something else", what, name)
			}
			last[name] = body
		}
	}
	step("user's name", func() { e.updateUser(t, "id-alice", func(u *user.User) { u.Name = "Alice <A>" }) }, "alice")
	step("user's attribute", func() { e.updateUser(t, "id-alice", func(u *user.User) { u.Attributes["dep_id"] = "2" }) }, "alice")
	step("user's locale", func() { e.updateUser(t, "id-bob", func(u *user.User) { u.Locale = "ru" }) }, "bob")
	step("user's parameter", func() {
		e.updateUser(t, "id-bob", func(u *user.User) { u.Parameters = map[string]string{"show_header": "0"} })
	}, "bob")
	step("user's roles", func() { e.updateUser(t, "id-alice", func(u *user.User) { u.Roles = []string{"viewer"} }) }, "alice")
	step("a role's parameter", func() {
		r, err := e.store.Roles().GetRole(ctx, "sales")
		require.NoError(t, err)
		r.Params[0].Value = "changed"
		require.NoError(t, e.store.Roles().PutRole(ctx, r))
	}, "bob")
	step("a role's specifics", func() {
		r, err := e.store.Roles().GetRole(ctx, "viewer")
		require.NoError(t, err)
		r.Specifics = []string{"viewer_report"}
		require.NoError(t, e.store.Roles().PutRole(ctx, r))
	}, "alice", "bob", "root") // bob's sales includes viewer; root sees the catalogue
	step("a system parameter's value", func() {
		require.NoError(t, e.store.Parameters().PutParameter(ctx, storage.Parameter{Code: "shortTimeFormat", Value: "H:m"}))
	}, "alice", "bob", "root")
	step("a new system parameter", func() {
		require.NoError(t, e.store.Parameters().PutParameter(ctx, storage.Parameter{Code: "zz_new", Title: "<New>", Value: "1"}))
	}, "alice", "bob", "root")
	step("a system parameter deleted", func() {
		require.NoError(t, e.store.Parameters().DeleteParameter(ctx, "show_header"))
	}, "alice", "bob", "root")
	step("declared specifics", func() {
		d, err := datafile.Parse([]byte(`{"specifics": ["declared_report"]}`))
		require.NoError(t, err)
		_, err = e.g.ApplyDataFile(ctx, d)
		require.NoError(t, err)
	}, "root")
	assert.Contains(t, last["root"], `"declared_report"`)

	// A new session of alice is served her document; the ended one is
	// refused.
	alice2 := cookieCredential(e.cookie(t, "alice", "pw"))
	assert.Equal(t, last["alice"], e.served(t, alice2))
	rec := e.do(t, nil, req{method: "POST", path: "/logout", cookie: alice.cookie})
	require.Less(t, rec.Code, 300, rec.Body.String())
	rec = e.do(t, nil, req{method: "GET", path: "/session", cookie: alice.cookie})
	assert.Equal(t, http.StatusUnauthorized, rec.Code, rec.Body.String())
	assert.Equal(t, last["alice"], e.served(t, alice2))

	// A user deleted and created again under the same id with other data
	// is served the new data.
	require.NoError(t, e.store.Users().DeleteUser(ctx, "id-bob"))
	e.addUser(t, "bob", "pw", func(u *user.User) { u.Roles = []string{"sales"}; u.Name = "Robert" })
	bob2 := bearerCredential(e.token(t, "bob", "pw"))
	assert.Contains(t, e.served(t, bob2), `"title":"Robert"`)
}

// A section that changes the Auth it is given changes nothing of the
// document's own keys: SessionDocument read them before calling it.
func TestSessionServedBeforeSectionsChangeTheAuth(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.SessionSections = map[string]gatehouse.SessionSection{
			"a_meddler": gatehouse.SessionSectionFunc(func(_ context.Context, a *session.Auth) (any, error) {
				a.User.ID, a.User.Name, a.User.Locale = "other-id", "Changed", "xx"
				a.User.Attributes["dep_id"] = "changed"
				a.User.Attributes["added"] = "added"
				a.User.Parameters["show_header"] = "changed"
				a.Set = nil
				return "meddled", nil
			}),
		}
	})
	seedPolicy(t, e)
	e.addUser(t, "alice", "pw", func(u *user.User) {
		u.Roles, u.Name = []string{"sales"}, "Alice"
		u.Attributes = map[string]string{"dep_id": "1"}
		u.Parameters = map[string]string{"show_header": "0"}
	})
	body := e.served(t, bearerCredential(e.token(t, "alice", "pw")))
	assert.Contains(t, body, `"title":"Alice"`)
	assert.NotContains(t, body, "changed")
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// Concurrent GET /session of users who share a permission set: each is
// served their own document (run with -race).
func TestSessionServedConcurrently(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	seedPolicy(t, e)
	const users = 8
	want := make([][]byte, users)
	creds := make([]credential, users)
	for i := range users {
		name := fmt.Sprintf("c%d", i)
		e.addUser(t, name, "pw", func(u *user.User) {
			u.Roles = []string{"sales"}
			u.Attributes = map[string]string{"n": name}
		})
		creds[i] = bearerCredential(e.token(t, name, "pw"))
		want[i] = referenceSession(t, e.g, creds[i].cred)
	}
	var wg sync.WaitGroup
	for i := range users {
		wg.Go(func() {
			for range 50 {
				r, _ := http.NewRequest(http.MethodGet, "/session", nil)
				r.Header.Set("Authorization", creds[i].header["Authorization"])
				w := httptest.NewRecorder()
				e.h.ServeHTTP(w, r)
				if w.Code != http.StatusOK || w.Body.String() != string(want[i]) {
					t.Errorf("user %d: %d %s", i, w.Code, w.Body)
					return
				}
			}
		})
	}
	wg.Wait()
}

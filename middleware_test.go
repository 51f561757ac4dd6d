package gatehouse_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrossOriginWithCookie(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	c := e.cookie(t, "alice", "password1")
	tok := e.token(t, "alice", "password1")
	for _, tc := range []struct {
		name   string
		method string
		header map[string]string
		bearer bool
		want   int
	}{
		{"cross-site POST", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, 403},
		{"same-site POST", "POST", map[string]string{"Sec-Fetch-Site": "same-site"}, false, 403},
		{"Origin mismatch", "POST", map[string]string{"Origin": "https://evil.example"}, false, 403},
		{"Origin null", "PUT", map[string]string{"Origin": "null"}, false, 403},
		{"same-origin POST", "POST", map[string]string{"Sec-Fetch-Site": "same-origin"}, false, 200},
		{"user-initiated", "POST", map[string]string{"Sec-Fetch-Site": "none"}, false, 200},
		{"same Origin", "POST", map[string]string{"Origin": "http://example.com"}, false, 200},
		{"cross-site GET", "GET", map[string]string{"Sec-Fetch-Site": "cross-site"}, false, 200},
		{"non-browser", "DELETE", nil, false, 200},
		{"bearer cross-site", "POST", map[string]string{"Sec-Fetch-Site": "cross-site"}, true, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := req{method: tc.method, path: "/x", header: map[string]string{}}
			for k, v := range tc.header {
				q.header[k] = v
			}
			if tc.bearer {
				q.header["Authorization"] = "Bearer " + tok
			} else {
				q.cookie = c.Value
			}
			rec := e.do(t, e.protected(), q)
			require.Equal(t, tc.want, rec.Code, rec.Body.String())
			if tc.want == 403 {
				body := decodeError(t, rec)
				assert.NotEmpty(t, body.TraceData.Code)
				assert.Equal(t, rec.Header().Get("X-Trace-Code"), body.TraceData.Code)
			}
		})
	}
	t.Run("cross-site logout and password change", func(t *testing.T) {
		for _, path := range []string{"/logout", "/password"} {
			rec := e.do(t, nil, req{method: "POST", path: path, cookie: c.Value, header: map[string]string{"Sec-Fetch-Site": "cross-site"},
				body: `{"current_password":"password1","new_password":"password-2"}`})
			assert.Equal(t, http.StatusForbidden, rec.Code, path)
		}
		rec := e.do(t, nil, req{method: "POST", path: "/login", header: map[string]string{"Sec-Fetch-Site": "cross-site"}, body: `{"username":"alice","password":"password1"}`})
		assert.Equal(t, http.StatusForbidden, rec.Code, "login CSRF")
		assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: c.Value}).Code, "the session is untouched")
	})
}

func TestReadOnlyUser(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "reader", "password1", func(u *user.User) { u.Access = user.AccessReadOnly; u.Admin = true })
	tok := e.token(t, "reader", "password1")
	for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
		assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: m, path: "/x", header: bearer(tok)}).Code, m)
	}
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE"} {
		rec := e.do(t, e.protected(), req{method: m, path: "/x", header: bearer(tok)})
		require.Equal(t, http.StatusForbidden, rec.Code, m)
		assert.Equal(t, "acme_|_reader", decodeError(t, rec).TraceData.Client)
	}
	h := map[string]string{"Authorization": "Bearer " + tok, "X-HTTP-Method-Override": "GET"}
	assert.Equal(t, http.StatusForbidden, e.do(t, e.protected(), req{method: "PUT", path: "/x", header: h}).Code, "override ignored")
}

func TestRequire(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	ctx := context.Background()
	require.NoError(t, e.store.Roles().PutRole(ctx, permissions.Role{
		Code: "sales", Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}},
		Specifics: []string{"entity_export_to_file"},
	}))
	e.addUser(t, "alice", "password1", func(u *user.User) { u.Roles = []string{"sales"} })
	e.addUser(t, "root", "password1", func(u *user.User) { u.Admin = true })
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	ta, tr := e.token(t, "alice", "password1"), e.token(t, "root", "password1")
	for _, tc := range []struct {
		name string
		mw   func(http.Handler) http.Handler
		tok  string
		want int
	}{
		{"entity allowed", e.g.RequireEntity("Customer", permissions.OpRead), ta, 200},
		{"entity denied", e.g.RequireEntity("Customer", permissions.OpDelete), ta, 403},
		{"unknown entity denied", e.g.RequireEntity("Nope", permissions.OpRead), ta, 403},
		{"specific allowed", e.g.RequireSpecific("entity_export_to_file"), ta, 200},
		{"specific denied", e.g.RequireSpecific("other"), ta, 403},
		{"admin denied", e.g.RequireAdmin(), ta, 403},
		{"admin allowed", e.g.RequireAdmin(), tr, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := e.g.Authenticate(tc.mw(ok))
			rec := e.do(t, h, req{method: "GET", path: "/x", header: bearer(tc.tok)})
			assert.Equal(t, tc.want, rec.Code, rec.Body.String())
		})
	}
	t.Run("without Authenticate in front: 401, never allowed", func(t *testing.T) {
		rec := e.do(t, e.g.RequireAdmin()(ok), req{method: "GET", path: "/x", header: bearer(tr)})
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
	})
	t.Run("a removed role takes effect on the next request", func(t *testing.T) {
		h := e.g.Authenticate(e.g.RequireEntity("Customer", permissions.OpRead)(ok))
		e.updateUser(t, "id-alice", func(u *user.User) { u.Roles = nil })
		assert.Equal(t, http.StatusForbidden, e.do(t, h, req{method: "GET", path: "/x", header: bearer(ta)}).Code)
	})
	t.Run("denials are audited", func(t *testing.T) {
		page, err := e.store.Audit().QueryAudit(ctx, storage.AuditQuery{Company: "acme", OperationID: "permission_denied", Limit: 100})
		require.NoError(t, err)
		assert.NotEmpty(t, page.Records)
	})
}

func TestUnauthenticatedHost(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	for _, h := range []map[string]string{
		nil,
		{"Authorization": "Basic YWxpY2U6cGFzc3dvcmQx"},
		{"Authorization": "Bearer"},
		{"Authorization": "Bearer not.a.token"},
	} {
		rec := e.do(t, e.protected(), req{method: "GET", path: "/x", header: h})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")
		body := decodeError(t, rec)
		assert.Equal(t, "", body.TraceData.Client)
		assert.Equal(t, "authenticate", body.TraceData.Operation)
	}
	rec := e.do(t, e.protected(), req{method: "GET", path: "/x", cookie: "not-an-id"})
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
}

// faultStore fails the k-th call (1-based) made through it, counting every
// method of every sub-store; k = 0 never fails.
type faultStore struct {
	storage.Store
	k, n atomic.Int64
}

var errFault = errors.New("injected fault")

func (f *faultStore) hit() error {
	if n := f.n.Add(1); n == f.k.Load() {
		return errFault
	}
	return nil
}

func (f *faultStore) Users() storage.UserStore       { return faultUsers{f.Store.Users(), f} }
func (f *faultStore) Roles() storage.RoleStore       { return faultRoles{f.Store.Roles(), f} }
func (f *faultStore) Sessions() storage.SessionStore { return faultSessions{f.Store.Sessions(), f} }
func (f *faultStore) Counters() storage.CounterStore { return faultCounters{f.Store.Counters(), f} }
func (f *faultStore) Audit() storage.AuditStore      { return faultAudit{f.Store.Audit(), f} }

type faultUsers struct {
	storage.UserStore
	f *faultStore
}

func (s faultUsers) GetUser(ctx context.Context, id string) (user.User, error) {
	if err := s.f.hit(); err != nil {
		return user.User{}, err
	}
	return s.UserStore.GetUser(ctx, id)
}
func (s faultUsers) GetUserByUsername(ctx context.Context, n string) (user.User, error) {
	if err := s.f.hit(); err != nil {
		return user.User{}, err
	}
	return s.UserStore.GetUserByUsername(ctx, n)
}
func (s faultUsers) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	if err := s.f.hit(); err != nil {
		return user.User{}, err
	}
	return s.UserStore.UpdateUser(ctx, u)
}

type faultRoles struct {
	storage.RoleStore
	f *faultStore
}

func (s faultRoles) PolicyVersion(ctx context.Context) (int64, error) {
	if err := s.f.hit(); err != nil {
		return 0, err
	}
	return s.RoleStore.PolicyVersion(ctx)
}
func (s faultRoles) ListRoles(ctx context.Context) ([]permissions.Role, error) {
	if err := s.f.hit(); err != nil {
		return nil, err
	}
	return s.RoleStore.ListRoles(ctx)
}

type faultSessions struct {
	storage.SessionStore
	f *faultStore
}

func (s faultSessions) CreateSession(ctx context.Context, x storage.Session) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.SessionStore.CreateSession(ctx, x)
}
func (s faultSessions) GetSession(ctx context.Context, h string) (storage.Session, error) {
	if err := s.f.hit(); err != nil {
		return storage.Session{}, err
	}
	return s.SessionStore.GetSession(ctx, h)
}
func (s faultSessions) TouchSession(ctx context.Context, h string, t time.Time) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.SessionStore.TouchSession(ctx, h, t)
}
func (s faultSessions) RevokeSession(ctx context.Context, h string) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.SessionStore.RevokeSession(ctx, h)
}

type faultCounters struct {
	storage.CounterStore
	f *faultStore
}

func (s faultCounters) Increment(ctx context.Context, k string, d int64, ttl time.Duration) (int64, error) {
	if err := s.f.hit(); err != nil {
		return 0, err
	}
	return s.CounterStore.Increment(ctx, k, d, ttl)
}
func (s faultCounters) Counter(ctx context.Context, k string) (int64, time.Time, error) {
	if err := s.f.hit(); err != nil {
		return 0, time.Time{}, err
	}
	return s.CounterStore.Counter(ctx, k)
}
func (s faultCounters) ResetCounter(ctx context.Context, k string) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.CounterStore.ResetCounter(ctx, k)
}
func (s faultCounters) AcquireSlot(ctx context.Context, k, h string, l int, ttl time.Duration) (bool, error) {
	if err := s.f.hit(); err != nil {
		return false, err
	}
	return s.CounterStore.AcquireSlot(ctx, k, h, l, ttl)
}
func (s faultCounters) ReleaseSlot(ctx context.Context, k, h string) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.CounterStore.ReleaseSlot(ctx, k, h)
}

type faultAudit struct {
	storage.AuditStore
	f *faultStore
}

func (s faultAudit) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	if err := s.f.hit(); err != nil {
		return err
	}
	return s.AuditStore.AppendAudit(ctx, r)
}

// TestFaultInjection fails every store call in turn, across login, an
// authenticated request, a password change and a logout, and checks that
// no failure turns into an authenticated request or a reported success
// that did not happen.
func TestFaultInjection(t *testing.T) {
	clock := gatehousetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	for k := int64(1); ; k++ {
		fs := &faultStore{Store: newMem(clock)}
		e := newAuthEnv(t, fs, clock, func(c *gatehouse.Config) {})
		e.addUser(t, "alice", "password1", nil)
		fs.n.Store(0)
		fs.k.Store(k)

		check := e.g.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a, ok := session.FromContext(r.Context())
			if !ok {
				t.Fatal("handler reached without an Auth")
			}
			// The session really is live, read straight from the store.
			s, err := fs.Store.Sessions().GetSession(r.Context(), a.Session.IDHash)
			if err != nil || s.Revoked {
				t.Fatalf("k=%d: authenticated a dead session", k)
			}
			w.WriteHeader(http.StatusOK)
		}))
		okBody := `{"username":"alice","password":"password1"}`
		step := func(q req, h http.Handler) int { return e.do(t, h, q).Code }

		code := step(req{method: "POST", path: "/token", body: okBody}, nil)
		var tok string
		if code == http.StatusOK {
			rec := e.do(t, nil, req{method: "POST", path: "/token", body: okBody})
			if rec.Code == http.StatusOK {
				tok = strings.Trim(strings.TrimSpace(rec.Body.String()), `"`)
			}
		} else {
			assert.Contains(t, []int{503}, code, "k=%d: a failed login is 503, never a token", k)
		}
		if tok == "" {
			tok = "x"
		}
		code = step(req{method: "GET", path: "/x", header: bearer(tok)}, check)
		assert.Contains(t, []int{200, 401, 503}, code)

		// Password change: success must mean the new password works and
		// the old one does not; failure must mean the opposite.
		code = step(req{method: "POST", path: "/password", header: bearer(tok), body: `{"current_password":"password1","new_password":"password-2"}`}, nil)
		fs.k.Store(0)
		u, err := fs.Store.Users().GetUser(context.Background(), "id-alice")
		require.NoError(t, err)
		if code == http.StatusOK {
			assert.Equal(t, testHash("password-2"), u.PasswordHash, "k=%d: reported success that did not happen", k)
		} else {
			assert.Equal(t, testHash("password1"), u.PasswordHash, "k=%d: reported failure, but the password changed", k)
		}
		// Logout: 204 means the session is revoked.
		password := "password1"
		if u.PasswordHash == testHash("password-2") {
			password = "password-2"
		}
		tok2 := e.token(t, "alice", password)
		fs.n.Store(0)
		fs.k.Store(k)
		code = step(req{method: "POST", path: "/logout", header: bearer(tok2)}, nil)
		fs.k.Store(0)
		if code == http.StatusNoContent {
			assert.Equal(t, http.StatusUnauthorized, step(req{method: "GET", path: "/x", header: bearer(tok2)}, check), "k=%d: logout reported but the session lives", k)
		}
		e.g.Close()
		if fs.n.Load() < k && k > 40 {
			break
		}
		if k > 60 {
			break
		}
	}
}

func newMem(c *fakeClock) storage.Store {
	return memstoreNew(c)
}

func TestConcurrentHTTP(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Session.Throttle.PerUsername.MaxFailures = 1000
		c.Session.Throttle.PerAddress.MaxFailures = 1000
		c.Session.HashWait = time.Minute
	})
	for i := range 4 {
		e.addUser(t, fmt.Sprintf("user%d", i), "password1", nil)
	}
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			name := fmt.Sprintf("user%d", i%4)
			rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"` + name + `","password":"password1"}`})
			if !assert.Equal(t, http.StatusOK, rec.Code) {
				return
			}
			tok := strings.Trim(strings.TrimSpace(rec.Body.String()), `"`)
			rec = e.do(t, nil, req{method: "POST", path: "/token/check", body: `"` + tok + `"`})
			assert.Contains(t, rec.Body.String(), `"valid":true`)
			assert.Equal(t, http.StatusOK, e.do(t, e.protected(), req{method: "GET", path: "/x", header: bearer(tok)}).Code)
			assert.Equal(t, http.StatusNoContent, e.do(t, nil, req{method: "DELETE", path: "/session", header: bearer(tok)}).Code)
			rec = e.do(t, nil, req{method: "POST", path: "/token/check", body: `"` + tok + `"`})
			assert.Contains(t, rec.Body.String(), `"valid":false`)
		})
	}
	wg.Wait()
}

func TestRequireEntityNamesTheTarget(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	ctx := context.Background()
	e.addUser(t, "alice", "password1", nil)
	tok := e.token(t, "alice", "password1")
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	for _, op := range []permissions.Op{permissions.OpCreate, permissions.OpRead, permissions.OpUpdate, permissions.OpDelete} {
		t.Run(op.String(), func(t *testing.T) {
			target := "Customer:" + op.String()
			h := e.g.Authenticate(e.g.RequireEntity("Customer", op)(ok))
			rec := e.do(t, h, req{method: "GET", path: "/x", header: bearer(tok)})
			require.Equal(t, http.StatusForbidden, rec.Code)
			body := decodeError(t, rec)
			assert.Equal(t, "forbidden: "+target, body.Message)
			assert.Equal(t, "authorize", body.TraceData.Operation, "a denial is an authorization failure")
			assert.Equal(t, "acme_|_alice", body.TraceData.Client)

			page, err := e.store.Audit().QueryAudit(ctx, storage.AuditQuery{Company: "acme", OperationID: "permission_denied", Limit: 100})
			require.NoError(t, err)
			var details []string
			for _, r := range page.Records {
				details = append(details, r.Detail)
			}
			assert.Contains(t, details, target)
		})
	}
	t.Run("an authentication failure stays authenticate", func(t *testing.T) {
		h := e.g.Authenticate(e.g.RequireEntity("Customer", permissions.OpRead)(ok))
		rec := e.do(t, h, req{method: "GET", path: "/x"})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
		assert.Equal(t, "authenticate", decodeError(t, rec).TraceData.Operation)
	})
}

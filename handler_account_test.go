package gatehouse_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exampleAccount is the account service's example user: Europe/Moscow is UTC+3 all year.
func exampleAccount(u *user.User) {
	u.ID, u.Username, u.Company = "id-example", "my_username_for_login", "my_company"
	u.Name, u.Email, u.Phone, u.Timezone = "my_visible_name", "admin@company.com", "+71112223333", "Europe/Moscow"
}

func newAccountEnv(t *testing.T, store storage.Store) (*authEnv, string) {
	t.Helper()
	c := gatehousetest.NewClock(testStart)
	if store == nil {
		store = memstoreNew(c)
	}
	e := newAuthEnv(t, store, c, nil)
	e.addUser(t, "my_username_for_login", "password", exampleAccount)
	return e, e.token(t, "my_username_for_login", "password")
}

func readExample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func TestAccountMatchesTheAccountService(t *testing.T) {
	e, tok := newAccountEnv(t, nil)
	rec := e.do(t, nil, req{method: "GET", path: "/account", header: bearer(tok)})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, readExample(t, "account-service-account.response.json"), rec.Body.String())

	rec = e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: readExample(t, "account-service-account-update.request.json")})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, readExample(t, "account-service-account.response.json"), rec.Body.String())
}

func TestTimezoneOffset(t *testing.T) {
	winter := time.Date(2025, 1, 15, 12, 0, 0, 0, time.UTC)
	summer := time.Date(2025, 7, 15, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		zone string
		at   time.Time
		want int
	}{
		{"", winter, 0},
		{"UTC", winter, 0},
		{"Local", winter, 0},
		{"No/Such_Zone", winter, 0},
		{"Europe/Moscow", winter, 3},
		{"Europe/Berlin", winter, 1},
		{"Europe/Berlin", summer, 2},
		{"America/New_York", winter, -5},
		{"America/New_York", summer, -4},
		{"Asia/Kolkata", winter, 5},        // +5:30 truncated
		{"America/St_Johns", winter, -3},   // -3:30 truncated toward zero
		{"Pacific/Kiritimati", winter, 12}, // +14 clamped
		{"Etc/GMT+12", winter, -12},        // -12
		{"Pacific/Tongatapu", winter, 12},  // +13 clamped
		{"Pacific/Pago_Pago", summer, -11}, // -11
		{"Australia/Adelaide", winter, 10}, // +10:30 (DST) truncated
		{"Australia/Adelaide", summer, 9},  // +9:30 truncated
		{"Asia/Kathmandu", winter, 5},      // +5:45 truncated
		{"America/Santiago", winter, -3},   // southern summer
		{"America/Santiago", summer, -4},   // southern winter
		{"Pacific/Chatham", winter, 12},    // +13:45 clamped
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s@%s", c.zone, c.at.Format("Jan")), func(t *testing.T) {
			assert.Equal(t, c.want, gatehouse.TimezoneOffset(c.zone, c.at))
		})
	}
}

func TestAccountTimezoneFollowsTheClock(t *testing.T) {
	e, tok := newAccountEnv(t, nil)
	e.updateUser(t, "id-example", func(u *user.User) { u.Timezone = "Europe/Berlin" })
	get := func() int {
		rec := e.do(t, nil, req{method: "GET", path: "/account", header: bearer(tok)})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var doc gatehouse.AccountDocument
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
		return doc.Timezone
	}
	assert.Equal(t, 1, get(), "1 March: CET")
	e.clock.Add(29*24*time.Hour + 20*time.Minute) // 30 March 12:20 UTC: CEST
	tok = e.token(t, "my_username_for_login", "password")
	assert.Equal(t, 2, get())
}

// putBody returns the example body with some fields replaced (a nil value
// deletes the field, json.RawMessage("null") sends null).
func putBody(t *testing.T, mod map[string]any) string {
	t.Helper()
	m := map[string]any{
		"username": "my_username_for_login", "name": "my_visible_name", "email": "admin@company.com",
		"phone": "+71112223333", "company_key": "my_company", "timezone": 3,
	}
	for k, v := range mod {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

var null = json.RawMessage("null")

func emailOfLen(n int) string { return strings.Repeat("a", n-len("@example.com")) + "@example.com" }

func TestAccountUpdateRules(t *testing.T) {
	cases := []struct {
		name   string
		mod    map[string]any
		status int
		prefix string // the message's field, for 400
		check  func(t *testing.T, u user.User)
	}{
		{name: "example body changes nothing", mod: nil, status: 200,
			check: func(t *testing.T, u user.User) { assert.Equal(t, int64(1), u.Version, "no write") }},
		{name: "name 2 characters", mod: map[string]any{"name": "Ab"}, status: 200,
			check: func(t *testing.T, u user.User) { assert.Equal(t, "Ab", u.Name) }},
		{name: "name 1 character", mod: map[string]any{"name": "A"}, status: 400, prefix: "name: "},
		{name: "name 256 characters", mod: map[string]any{"name": strings.Repeat("Я", 256)}, status: 200},
		{name: "name 257 characters", mod: map[string]any{"name": strings.Repeat("Я", 257)}, status: 400, prefix: "name: "},
		{name: "name empty string", mod: map[string]any{"name": ""}, status: 400, prefix: "name: "},
		{name: "name with a newline", mod: map[string]any{"name": "a\nb"}, status: 400, prefix: "name: "},
		{name: "name null clears", mod: map[string]any{"name": null}, status: 200,
			check: func(t *testing.T, u user.User) { assert.Empty(t, u.Name) }},
		{name: "name absent is unchanged", mod: map[string]any{"name": nil, "phone": "+70000000000"}, status: 200,
			check: func(t *testing.T, u user.User) {
				assert.Equal(t, "my_visible_name", u.Name)
				assert.Equal(t, "+70000000000", u.Phone)
			}},
		{name: "name a number", mod: map[string]any{"name": 5}, status: 400, prefix: "name: "},
		{name: "email 5 characters", mod: map[string]any{"email": "a@b.c"}, status: 200,
			check: func(t *testing.T, u user.User) { assert.Equal(t, "a@b.c", u.Email) }},
		{name: "email 4 characters", mod: map[string]any{"email": "a@bc"}, status: 400, prefix: "email: "},
		{name: "email 256 characters", mod: map[string]any{"email": emailOfLen(256)}, status: 200},
		{name: "email 257 characters", mod: map[string]any{"email": emailOfLen(257)}, status: 400, prefix: "email: "},
		{name: "email not an address", mod: map[string]any{"email": "admin at company"}, status: 400, prefix: "email: "},
		{name: "email with a display name", mod: map[string]any{"email": "Eve <eve@example.com>"}, status: 400, prefix: "email: "},
		{name: "email null clears", mod: map[string]any{"email": null}, status: 200,
			check: func(t *testing.T, u user.User) { assert.Empty(t, u.Email) }},
		{name: "phone 5 characters", mod: map[string]any{"phone": "12345"}, status: 200,
			check: func(t *testing.T, u user.User) { assert.Equal(t, "12345", u.Phone) }},
		{name: "phone 4 characters", mod: map[string]any{"phone": "1234"}, status: 400, prefix: "phone: "},
		{name: "phone 32 characters", mod: map[string]any{"phone": strings.Repeat("1", 32)}, status: 200},
		{name: "phone 33 characters", mod: map[string]any{"phone": strings.Repeat("1", 33)}, status: 400, prefix: "phone: "},
		{name: "phone with letters", mod: map[string]any{"phone": "call me"}, status: 400, prefix: "phone: "},
		{name: "phone null clears", mod: map[string]any{"phone": null}, status: 200,
			check: func(t *testing.T, u user.User) { assert.Empty(t, u.Phone) }},
		{name: "all three null", mod: map[string]any{"name": null, "email": null, "phone": null}, status: 200,
			check: func(t *testing.T, u user.User) { assert.Empty(t, u.Name+u.Email+u.Phone) }},
		{name: "other username", mod: map[string]any{"username": "someone_else"}, status: 400, prefix: "username: "},
		{name: "username missing", mod: map[string]any{"username": nil}, status: 400, prefix: "username: is required"},
		{name: "username null", mod: map[string]any{"username": null}, status: 400, prefix: "username: is required"},
		{name: "other company", mod: map[string]any{"company_key": "other_company"}, status: 400, prefix: "company_key: "},
		{name: "company missing", mod: map[string]any{"company_key": nil}, status: 400, prefix: "company_key: is required"},
		{name: "other timezone", mod: map[string]any{"timezone": 4}, status: 400, prefix: "timezone: "},
		{name: "timezone 13", mod: map[string]any{"timezone": 13}, status: 400, prefix: `timezone: must be -12\.\.12`},
		{name: "timezone -13", mod: map[string]any{"timezone": -13}, status: 400, prefix: `timezone: must be -12\.\.12`},
		{name: "timezone a string", mod: map[string]any{"timezone": "3"}, status: 400, prefix: "timezone: "},
		{name: "timezone absent is not checked", mod: map[string]any{"timezone": nil, "name": "Zed"}, status: 200},
		{name: "unknown field", mod: map[string]any{"admin": true}, status: 400, prefix: "admin: unknown field"},
		{name: "a wrong field changes nothing", mod: map[string]any{"name": "Changed", "company_key": "x_company"}, status: 400, prefix: "company_key: ",
			check: func(t *testing.T, u user.User) { assert.Equal(t, "my_visible_name", u.Name) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, tok := newAccountEnv(t, nil)
			rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: putBody(t, c.mod)})
			if c.status == 400 {
				assertErrorBody(t, rec, 400, c.prefix)
			} else {
				require.Equal(t, c.status, rec.Code, rec.Body.String())
			}
			u, err := e.store.Users().GetUser(context.Background(), "id-example")
			require.NoError(t, err)
			if c.status == 200 {
				// The answer is the account as stored.
				want, err := json.Marshal(gatehouse.NewAccountDocument(&u, e.clock.Now()))
				require.NoError(t, err)
				assert.JSONEq(t, string(want), rec.Body.String())
			} else {
				assert.Equal(t, int64(1), u.Version, "nothing written")
			}
			if c.check != nil {
				c.check(t, u)
			}
		})
	}
}

func TestAccountUpdateBodyErrors(t *testing.T) {
	e, tok := newAccountEnv(t, nil)
	for _, c := range []struct{ name, body, ctype string }{
		{"array", `[]`, ""},
		{"string", `"x"`, ""},
		{"null", `null`, ""},
		{"malformed", `{"username":`, ""},
		{"form", `username=x`, "application/x-www-form-urlencoded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: c.body, ctype: c.ctype})
			assert.Contains(t, []int{400, 415}, rec.Code, rec.Body.String())
		})
	}
}

func TestAccountUpdateReadOnlyIs403(t *testing.T) {
	e, tok := newAccountEnv(t, nil)
	e.updateUser(t, "id-example", func(u *user.User) { u.Access = user.AccessReadOnly })
	rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: putBody(t, map[string]any{"name": "Hacker"})})
	assertErrorBody(t, rec, http.StatusForbidden, "read-only")
	u, err := e.store.Users().GetUser(context.Background(), "id-example")
	require.NoError(t, err)
	assert.Equal(t, "my_visible_name", u.Name)

	rec = e.do(t, nil, req{method: "GET", path: "/account", header: bearer(tok)})
	assert.Equal(t, http.StatusOK, rec.Code, "a read-only user still reads the account")
}

func TestAccountUpdateByCookieNeedsSameOrigin(t *testing.T) {
	e, _ := newAccountEnv(t, nil)
	sid := e.cookie(t, "my_username_for_login", "password").Value
	body := putBody(t, map[string]any{"name": "Forged"})
	rec := e.do(t, nil, req{method: "PUT", path: "/account", cookie: sid, body: body, header: map[string]string{"Sec-Fetch-Site": "cross-site"}})
	assertErrorBody(t, rec, http.StatusForbidden, "cross-origin")
	rec = e.do(t, nil, req{method: "PUT", path: "/account", cookie: sid, body: body, header: map[string]string{"Sec-Fetch-Site": "same-origin"}})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
}

func TestAccountUpdateIsAudited(t *testing.T) {
	e, tok := newAccountEnv(t, nil)
	rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: putBody(t, map[string]any{"name": "New Name", "phone": null})})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	r, err := e.store.Audit().GetAudit(context.Background(), rec.Header().Get("X-Trace-Code"))
	require.NoError(t, err)
	assert.Equal(t, "account_update", r.OperationID)
	assert.Equal(t, "ok", r.Outcome)
	assert.Equal(t, "my_username_for_login", r.Username)
	assert.Equal(t, "my_company", r.Company)
	assert.Equal(t, "changed: name,phone", r.Detail)
	assert.NotContains(t, r.Detail, "New Name", "names of fields, not values")
}

// racingStore lets a test change the user in the store right before the
// handler's write, as a concurrent request would.
type racingStore struct {
	storage.Store
	before func(ctx context.Context, inner storage.UserStore)
	fired  atomic.Int32
}

func (s *racingStore) Users() storage.UserStore { return racingUsers{s.Store.Users(), s} }

type racingUsers struct {
	storage.UserStore
	s *racingStore
}

func (r racingUsers) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	if r.s.before != nil {
		r.s.fired.Add(1)
		r.s.before(ctx, r.UserStore)
	}
	return r.UserStore.UpdateUser(ctx, u)
}

func TestAccountUpdateConcurrentChangeIsNotLost(t *testing.T) {
	c := gatehousetest.NewClock(testStart)
	rs := &racingStore{Store: memstoreNew(c)}
	e, tok := newAccountEnv(t, rs)
	once := sync.Once{}
	rs.before = func(ctx context.Context, inner storage.UserStore) {
		once.Do(func() { // another request changes the e-mail and the attributes first
			u, err := inner.GetUser(ctx, "id-example")
			require.NoError(t, err)
			u.Email, u.Attributes = "other@company.com", map[string]string{"dep_id": "7"}
			_, err = inner.UpdateUser(ctx, u)
			require.NoError(t, err)
		})
	}
	rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: `{"username":"my_username_for_login","company_key":"my_company","name":"Mine"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	u, err := rs.Store.Users().GetUser(context.Background(), "id-example")
	require.NoError(t, err)
	assert.Equal(t, "Mine", u.Name, "this request's change")
	assert.Equal(t, "other@company.com", u.Email, "the concurrent change is kept")
	assert.Equal(t, "7", u.Attributes["dep_id"])
	assert.Equal(t, int64(3), u.Version)
	assert.Equal(t, int32(2), rs.fired.Load(), "a conflict, then one retry")
}

func TestAccountUpdateRecheckedAfterConflict(t *testing.T) {
	c := gatehousetest.NewClock(testStart)
	rs := &racingStore{Store: memstoreNew(c)}
	e, tok := newAccountEnv(t, rs)
	once := sync.Once{}
	rs.before = func(ctx context.Context, inner storage.UserStore) {
		once.Do(func() { // an admin makes the user read-only meanwhile
			u, err := inner.GetUser(ctx, "id-example")
			require.NoError(t, err)
			u.Access = user.AccessReadOnly
			_, err = inner.UpdateUser(ctx, u)
			require.NoError(t, err)
		})
	}
	rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: putBody(t, map[string]any{"name": "Mine"})})
	assertErrorBody(t, rec, http.StatusForbidden, "read-only")
	u, err := rs.Store.Users().GetUser(context.Background(), "id-example")
	require.NoError(t, err)
	assert.Equal(t, "my_visible_name", u.Name)
}

func TestAccountUpdateEndlessConflictIs409(t *testing.T) {
	c := gatehousetest.NewClock(testStart)
	rs := &racingStore{Store: memstoreNew(c)}
	e, tok := newAccountEnv(t, rs)
	rs.before = func(ctx context.Context, inner storage.UserStore) {
		u, err := inner.GetUser(ctx, "id-example")
		require.NoError(t, err)
		u.Attributes = map[string]string{"n": fmt.Sprint(u.Version)}
		_, err = inner.UpdateUser(ctx, u)
		require.NoError(t, err)
	}
	rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: putBody(t, map[string]any{"name": "Mine"})})
	assertErrorBody(t, rec, http.StatusConflict, "the account was changed concurrently")
	rs.before = nil
	u, err := rs.Store.Users().GetUser(context.Background(), "id-example")
	require.NoError(t, err)
	assert.Equal(t, "my_visible_name", u.Name, "nothing of the refused request was written")
}

func TestAccountConcurrentPutsAreAllApplied(t *testing.T) {
	e, tok := newAccountEnv(t, nil)
	bodies := []string{
		`{"username":"my_username_for_login","company_key":"my_company","name":"Concurrent Name"}`,
		`{"username":"my_username_for_login","company_key":"my_company","email":"concurrent@company.com"}`,
		`{"username":"my_username_for_login","company_key":"my_company","phone":"+79990001122"}`,
	}
	var wg sync.WaitGroup
	codes := make([]int, 30)
	for i := range codes {
		wg.Go(func() {
			codes[i] = e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: bodies[i%len(bodies)]}).Code
		})
	}
	wg.Wait()
	u, err := e.store.Users().GetUser(context.Background(), "id-example")
	require.NoError(t, err)
	applied := map[int]bool{}
	for i, code := range codes {
		require.Contains(t, []int{200, 409}, code, "applied or clearly refused")
		if code == 200 {
			applied[i%len(bodies)] = true
		}
	}
	if applied[0] {
		assert.Equal(t, "Concurrent Name", u.Name)
	}
	if applied[1] {
		assert.Equal(t, "concurrent@company.com", u.Email)
	}
	if applied[2] {
		assert.Equal(t, "+79990001122", u.Phone)
	}
	assert.NotEmpty(t, applied)
}

// gatedAuditStore holds every append of an "account_update" audit record
// until gate is closed (or 2s pass), as a slow audit store would.
type gatedAuditStore struct {
	storage.Store
	gate    chan struct{}
	waiting atomic.Int32
}

func (s *gatedAuditStore) Audit() storage.AuditStore { return gatedAudit{s.Store.Audit(), s} }

type gatedAudit struct {
	storage.AuditStore
	s *gatedAuditStore
}

func (a gatedAudit) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	if r.OperationID == "account_update" {
		a.s.waiting.Add(1)
		select { // bounded, so that a write the handler waits for fails the test, not hangs it
		case <-a.s.gate:
		case <-time.After(2 * time.Second):
		}
	}
	return a.AuditStore.AppendAudit(ctx, r)
}

// The account update's audit record goes through the recorder of
// Config.Audit: with a buffer, PUT /account answers while the store still
// holds the write back, and Close flushes it with the recorder's Server.
func TestAccountUpdateAuditGoesThroughTheRecorder(t *testing.T) {
	c := gatehousetest.NewClock(testStart)
	gs := &gatedAuditStore{Store: memstoreNew(c), gate: make(chan struct{})}
	e := newAuthEnv(t, gs, c, func(cfg *gatehouse.Config) {
		cfg.Audit = audit.Config{Buffer: 8, Server: "recorder-node"}
	})
	e.addUser(t, "my_username_for_login", "password", exampleAccount)
	tok := e.token(t, "my_username_for_login", "password")

	rec := e.do(t, nil, req{method: "PUT", path: "/account", header: bearer(tok), body: putBody(t, map[string]any{"name": "New Name"})})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	trace := rec.Header().Get("X-Trace-Code")
	_, err := gs.Store.Audit().GetAudit(context.Background(), trace)
	require.ErrorIs(t, err, storage.ErrNotFound, "queued in the recorder, not written by the handler")

	close(gs.gate)
	require.NoError(t, e.g.Close())
	assert.Equal(t, int32(1), gs.waiting.Load())
	r, err := gs.Store.Audit().GetAudit(context.Background(), trace)
	require.NoError(t, err)
	assert.Equal(t, "account_update", r.OperationID)
	assert.Equal(t, "changed: name", r.Detail)
	assert.Equal(t, "recorder-node", r.Server, "stamped by the recorder")
	assert.Equal(t, uint64(0), e.g.Audit().Stats().Failed)
}

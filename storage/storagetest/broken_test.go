package storagetest_test

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
	"github.com/gatehouse-go/gatehouse/user"
)

// The suite is only worth something if it fails for broken stores. Each
// case below wraps memstore with one deliberate bug, runs the whole suite
// against it with Check or CheckClocked, and requires it to fail exactly
// the checks that cover that bug.

// brokenCase is one deliberately broken store and the checks that must
// catch it.
type brokenCase struct {
	name  string
	clock bool // CheckClocked, else Check on the real clock
	wrap  func(*memstore.Store) storage.Store
	fails []string // concern/sentence of every check the store must fail, and only those
}

func brokenCases() []brokenCase {
	return []brokenCase{
		{name: "correct", clock: true, wrap: func(s *memstore.Store) storage.Store { return s }},
		{name: "correct", clock: false, wrap: func(s *memstore.Store) storage.Store { return s }},
		{
			name: "aliasing", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, users: &aliasingUsers{UserStore: s.Users()}, params: &aliasingSchema{ParameterStore: s.Parameters()}}
			},
			fails: []string{
				"users/a store should not let a caller change a user through a value passed in or returned",
				"parameters/a store should not let a caller change the schema through a value passed in or returned",
			},
		},
		{
			// Every role and parameter read back as created at run time, as a
			// store without the origin column would.
			name: "forgets origin", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, roles: &originBlindRoles{RoleStore: s.Roles()}, params: &originBlindParameters{ParameterStore: s.Parameters()}}
			},
			fails: []string{
				"roles/a store should keep whether a role came from the data file",
				"parameters/a store should keep whether a parameter came from the data file",
			},
		},
		{
			// An authenticating read that loses the revoked flag: a logout
			// that the hot path would not see.
			name: "auth read blind to revocation", clock: true,
			wrap:  func(s *memstore.Store) storage.Store { return &revocationBlindAuth{Store: s} },
			fails: []string{"authread/a store that reads auth should return a revoked session as revoked"},
		},
		{
			// An API key store that ignores revocation: a revoked key would
			// keep authenticating.
			name: "api keys ignore revocation", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, apiKeys: &revocationBlindAPIKeys{APIKeyStore: s.APIKeys()}}
			},
			fails: []string{
				"apikeys/a store should revoke an API key idempotently and still return it",
				"apikeys/a store should list only the user's API keys, revoked ones too, ordered by creation",
			},
		},
		{
			// An API key store that revokes a key by its id whoever asks.
			name: "api keys revoked by anyone", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, apiKeys: &ownerBlindAPIKeys{APIKeyStore: s.APIKeys()}}
			},
			fails: []string{"apikeys/a store should not revoke another user's API key, and should answer ErrNotFound"},
		},
		{
			name: "lost update", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, users: &versionBlindUsers{UserStore: s.Users()}}
			},
			fails: []string{"users/a store should reject an update with a stale version as ErrConflict and change nothing"},
		},
		{
			name: "non-atomic increment", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, counters: &racyCounters{CounterStore: s.Counters()}}
			},
			fails: []string{
				"counters/a store should increment a counter atomically under concurrent calls",
				// Read, reset, write also restarts the expiry.
				"counters/a store should set a counter's expiry on creation and keep it on later increments",
				"counters/a store should expire a counter after its ttl and restart it from zero",
			},
		},
		{
			// Usernames compared byte for byte, as every store did before
			// usernames became unique up to case.
			name: "case-sensitive usernames", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, users: &caseSensitiveUsers{UserStore: s.Users()}}
			},
			fails: []string{
				"users/a store should refuse a username equal to another's up to case with ErrConflict",
				"users/a store should refuse an update renaming a user to another's username up to case with ErrConflict and change nothing",
				"users/a store should let a user change the case of its own username",
				"users/a store should find a user by username up to case, returning the stored spelling",
			},
		},
		{
			name: "Unicode username fold", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, users: &unicodeFoldUsers{UserStore: s.Users()}}
			},
			fails: []string{"users/a store should find a user by username up to case, returning the stored spelling"},
		},
		{
			name: "ignores context", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, users: &contextBlindUsers{UserStore: s.Users()}}
			},
			fails: []string{
				"users/a store should fail every method with context.Canceled given a cancelled context, and change nothing",
				"users/a store should fail every method with context.DeadlineExceeded given an expired context",
			},
		},
		{
			name: "leaks audit across companies", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, audit: &leakyAudit{AuditStore: s.Audit()}}
			},
			fails: []string{
				"audit/a store should never return or count another company's audit records",
				"audit/a store should sort audit records by every sort field, ascending and descending, breaking ties by time then trace code",
				"audit/a store should filter audit records by username, time range, service, operation and method group, counting Total and Filtered",
				"audit/a store should page audit records with offset and limit, counting every match in Filtered",
				"audit/a store should return audit query records without attachment data but with content type, flow and stage",
				"audit/a store should reject a duplicate trace code as ErrConflict and keep the first record",
				"audit/a store should reject an audit query without a company, with Limit < 1, a negative offset or an unknown sort field as ErrInvalid",
			},
		},
		{
			name: "immortal counters", clock: true,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, counters: &immortalCounters{CounterStore: s.Counters()}}
			},
			fails: immortalFails(),
		},
		{
			// On the real clock, polling for expiry must give up and fail.
			name: "immortal counters", clock: false,
			wrap: func(s *memstore.Store) storage.Store {
				return &brokenStore{Store: s, counters: &immortalCounters{CounterStore: s.Counters()}}
			},
			fails: immortalFails(),
		},
		{
			// Check reports a panic as the failure of the check it ends,
			// and goes on with the next.
			name: "panicking Ping", clock: true,
			wrap: func(s *memstore.Store) storage.Store { return &panickingPing{s} },
			fails: []string{
				"backend/a store should answer Ping",
				"backend/a store should fail every method with context.Canceled given a cancelled context, and change nothing",
				"backend/a store should fail every method with context.DeadlineExceeded given an expired context",
				"backend/a store should answer every method with a live context",
			},
		},
	}
}

func immortalFails() []string {
	return []string{
		"counters/a store should set a counter's expiry on creation and keep it on later increments",
		"counters/a store should expire a counter after its ttl and restart it from zero",
		"counters/a store should free a slot when its ttl passes",
		"counters/a store should refresh a slot's expiry when its holder acquires it again",
	}
}

func TestSuiteCatchesBrokenStores(t *testing.T) {
	for _, c := range brokenCases() {
		mode := "real"
		if c.clock {
			mode = "clocked"
		}
		t.Run(c.name+" "+mode, func(t *testing.T) {
			if !c.clock && len(c.fails) > 0 && testing.Short() {
				t.Skip("waits for the suite to give up polling for expiry")
			}
			t.Parallel()
			var err error
			if c.clock {
				err = storagetest.CheckClocked(func(now func() time.Time) storage.Store {
					return c.wrap(memstore.New(memstore.Config{Now: now}))
				})
			} else {
				err = storagetest.Check(func() storage.Store { return c.wrap(memstore.New(memstore.Config{})) })
			}
			if len(c.fails) == 0 {
				require.NoError(t, err, "the suite failed a correct store")
				return
			}
			require.Error(t, err, "the suite passed a broken store")
			require.ElementsMatch(t, c.fails, failedChecks(t, err), "failed checks; the failures:\n%v", err)
		})
	}
}

// failedChecks returns concern/sentence of each check in an error of Check.
func failedChecks(t *testing.T, err error) []string {
	t.Helper()
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "Check returned %T, not joined errors", err)
	var out []string
	for _, e := range joined.Unwrap() {
		var ce *storagetest.CheckError
		require.ErrorAs(t, e, &ce)
		require.NotEmpty(t, ce.Failures, "a check failed without saying why")
		out = append(out, ce.Concern+"/"+ce.Check)
	}
	return out
}

// revocationBlindAuth is a memstore whose ReadAuth reads every session as
// not revoked.
type revocationBlindAuth struct{ *memstore.Store }

func (r *revocationBlindAuth) ReadAuth(ctx context.Context, idHash string) (storage.AuthRead, error) {
	a, err := r.Store.ReadAuth(ctx, idHash)
	a.Session.Revoked = false
	return a, err
}

// panickingPing is a memstore whose Ping panics.
type panickingPing struct{ *memstore.Store }

func (p *panickingPing) Ping(context.Context) error { panic("Ping is broken") }

// brokenStore is a memstore with some concerns replaced.
type brokenStore struct {
	*memstore.Store
	users    storage.UserStore
	roles    storage.RoleStore
	params   storage.ParameterStore
	audit    storage.AuditStore
	counters storage.CounterStore
	apiKeys  storage.APIKeyStore
}

func (b *brokenStore) APIKeys() storage.APIKeyStore {
	if b.apiKeys != nil {
		return b.apiKeys
	}
	return b.Store.APIKeys()
}

// revocationBlindAPIKeys accepts every revocation and forgets it.
type revocationBlindAPIKeys struct{ storage.APIKeyStore }

func (r *revocationBlindAPIKeys) RevokeAPIKey(ctx context.Context, userID, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ks, err := r.ListAPIKeys(ctx, userID)
	if err != nil {
		return err
	}
	for _, k := range ks {
		if k.ID == id {
			return nil
		}
	}
	return storage.ErrNotFound
}

// ownerBlindAPIKeys revokes a key by its id, whichever user asks.
type ownerBlindAPIKeys struct{ storage.APIKeyStore }

func (o *ownerBlindAPIKeys) RevokeAPIKey(ctx context.Context, _, id string) error {
	for _, u := range []string{"u1", "u2"} {
		if err := o.APIKeyStore.RevokeAPIKey(ctx, u, id); err == nil {
			return nil
		}
	}
	return o.APIKeyStore.RevokeAPIKey(ctx, "", id)
}

func (b *brokenStore) Users() storage.UserStore {
	if b.users != nil {
		return b.users
	}
	return b.Store.Users()
}

func (b *brokenStore) Roles() storage.RoleStore {
	if b.roles != nil {
		return b.roles
	}
	return b.Store.Roles()
}

func (b *brokenStore) Parameters() storage.ParameterStore {
	if b.params != nil {
		return b.params
	}
	return b.Store.Parameters()
}

func (b *brokenStore) Audit() storage.AuditStore {
	if b.audit != nil {
		return b.audit
	}
	return b.Store.Audit()
}

func (b *brokenStore) Counters() storage.CounterStore {
	if b.counters != nil {
		return b.counters
	}
	return b.Store.Counters()
}

// aliasingUsers keeps the very user values it was given and hands them out
// again: callers share its slices and maps.
type aliasingUsers struct {
	storage.UserStore
	mu   sync.Mutex
	byID map[string]user.User
}

func (a *aliasingUsers) keep(in, stored user.User) user.User {
	stored.Roles, stored.Attributes, stored.Parameters = in.Roles, in.Attributes, in.Parameters
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.byID == nil {
		a.byID = map[string]user.User{}
	}
	a.byID[stored.ID] = stored
	return stored
}

func (a *aliasingUsers) alias(u user.User, err error) (user.User, error) {
	if err != nil {
		return u, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.byID[u.ID], nil
}

func (a *aliasingUsers) CreateUser(ctx context.Context, u user.User) (user.User, error) {
	got, err := a.UserStore.CreateUser(ctx, u)
	if err != nil {
		return got, err
	}
	return a.keep(u, got), nil
}

func (a *aliasingUsers) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	got, err := a.UserStore.UpdateUser(ctx, u)
	if err != nil {
		return got, err
	}
	return a.keep(u, got), nil
}

func (a *aliasingUsers) GetUser(ctx context.Context, id string) (user.User, error) {
	return a.alias(a.UserStore.GetUser(ctx, id))
}

func (a *aliasingUsers) GetUserByUsername(ctx context.Context, name string) (user.User, error) {
	return a.alias(a.UserStore.GetUserByUsername(ctx, name))
}

// caseSensitiveUsers compares usernames exactly: it hands memstore each
// username with every upper-case letter X written as "^x" (and "^" as
// "^^"), so names that differ only in case are different names to it.
type caseSensitiveUsers struct{ storage.UserStore }

var (
	caseEncode = strings.NewReplacer(append([]string{"^", "^^"}, upperPairs()...)...)
	caseDecode = func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			if s[i] == '^' && i+1 < len(s) {
				i++
				if s[i] != '^' {
					b.WriteString(strings.ToUpper(s[i : i+1]))
					continue
				}
			}
			b.WriteByte(s[i])
		}
		return b.String()
	}
)

func upperPairs() []string {
	var out []string
	for c := 'A'; c <= 'Z'; c++ {
		out = append(out, string(c), "^"+strings.ToLower(string(c)))
	}
	return out
}

func (c *caseSensitiveUsers) decode(u user.User, err error) (user.User, error) {
	u.Username = caseDecode(u.Username)
	return u, err
}

func (c *caseSensitiveUsers) CreateUser(ctx context.Context, u user.User) (user.User, error) {
	u.Username = caseEncode.Replace(u.Username)
	return c.decode(c.UserStore.CreateUser(ctx, u))
}

func (c *caseSensitiveUsers) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	u.Username = caseEncode.Replace(u.Username)
	return c.decode(c.UserStore.UpdateUser(ctx, u))
}

func (c *caseSensitiveUsers) GetUser(ctx context.Context, id string) (user.User, error) {
	return c.decode(c.UserStore.GetUser(ctx, id))
}

func (c *caseSensitiveUsers) GetUserByUsername(ctx context.Context, name string) (user.User, error) {
	return c.decode(c.UserStore.GetUserByUsername(ctx, caseEncode.Replace(name)))
}

func (c *caseSensitiveUsers) ListUsers(ctx context.Context, q storage.UserQuery) ([]user.User, error) {
	us, err := c.UserStore.ListUsers(ctx, q)
	for i := range us {
		us[i].Username = caseDecode(us[i].Username)
	}
	return us, err
}

// unicodeFoldUsers looks usernames up by their Unicode lower case, so
// U+212A KELVIN SIGN finds "kate".
type unicodeFoldUsers struct{ storage.UserStore }

func (u *unicodeFoldUsers) GetUserByUsername(ctx context.Context, name string) (user.User, error) {
	return u.UserStore.GetUserByUsername(ctx, strings.ToLower(name))
}

// aliasingSchema keeps the schema it was given and returns it as is.
type aliasingSchema struct {
	storage.ParameterStore
	mu     sync.Mutex
	schema storage.Schema
}

func (a *aliasingSchema) PutSchema(ctx context.Context, s storage.Schema) error {
	if err := a.ParameterStore.PutSchema(ctx, s); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.schema = s
	return nil
}

func (a *aliasingSchema) GetSchema(ctx context.Context) (storage.Schema, error) {
	s, err := a.ParameterStore.GetSchema(ctx)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.schema != nil {
		return a.schema, nil
	}
	return s, nil
}

// versionBlindUsers applies every update, whatever version it carries: the
// last writer silently wins.
type versionBlindUsers struct{ storage.UserStore }

func (v *versionBlindUsers) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	if cur, err := v.GetUser(ctx, u.ID); err == nil {
		u.Version = cur.Version
	}
	return v.UserStore.UpdateUser(ctx, u)
}

// racyCounters increments by reading, yielding, and writing back.
type racyCounters struct{ storage.CounterStore }

func (r *racyCounters) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	v, _, err := r.Counter(ctx, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return 0, err
	}
	runtime.Gosched()
	if err := r.ResetCounter(ctx, key); err != nil {
		return 0, err
	}
	return r.CounterStore.Increment(ctx, key, v+delta, ttl)
}

// contextBlindUsers drops the caller's context.
type contextBlindUsers struct{ storage.UserStore }

func (c *contextBlindUsers) CreateUser(_ context.Context, u user.User) (user.User, error) {
	return c.UserStore.CreateUser(context.Background(), u)
}

func (c *contextBlindUsers) GetUser(_ context.Context, id string) (user.User, error) {
	return c.UserStore.GetUser(context.Background(), id)
}

func (c *contextBlindUsers) GetUserByUsername(_ context.Context, name string) (user.User, error) {
	return c.UserStore.GetUserByUsername(context.Background(), name)
}

func (c *contextBlindUsers) UpdateUser(_ context.Context, u user.User) (user.User, error) {
	return c.UserStore.UpdateUser(context.Background(), u)
}

func (c *contextBlindUsers) DeleteUser(_ context.Context, id string) error {
	return c.UserStore.DeleteUser(context.Background(), id)
}

func (c *contextBlindUsers) ListUsers(_ context.Context, q storage.UserQuery) ([]user.User, error) {
	return c.UserStore.ListUsers(context.Background(), q)
}

// leakyAudit files every company's records under one, and answers queries
// from all of them.
type leakyAudit struct {
	storage.AuditStore
	mu      sync.Mutex
	company map[string]string // trace code → real company
}

const sharedCompany = "shared"

func (l *leakyAudit) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	real := r.Company
	r.Company = sharedCompany
	if err := l.AuditStore.AppendAudit(ctx, r); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.company == nil {
		l.company = map[string]string{}
	}
	l.company[r.TraceCode] = real
	return nil
}

func (l *leakyAudit) restore(r storage.AuditRecord) storage.AuditRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	r.Company = l.company[r.TraceCode]
	return r
}

func (l *leakyAudit) GetAudit(ctx context.Context, traceCode string) (storage.AuditRecord, error) {
	r, err := l.AuditStore.GetAudit(ctx, traceCode)
	if err != nil {
		return r, err
	}
	return l.restore(r), nil
}

func (l *leakyAudit) QueryAudit(ctx context.Context, q storage.AuditQuery) (storage.AuditPage, error) {
	q.Company = sharedCompany
	p, err := l.AuditStore.QueryAudit(ctx, q)
	for i, r := range p.Records {
		p.Records[i] = l.restore(r)
	}
	return p, err
}

// immortalCounters gives every counter and slot a century to live.
type immortalCounters struct{ storage.CounterStore }

const century = 100 * 365 * 24 * time.Hour

func (m *immortalCounters) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	if ttl > 0 {
		ttl = century
	}
	return m.CounterStore.Increment(ctx, key, delta, ttl)
}

func (m *immortalCounters) AcquireSlot(ctx context.Context, key, holder string, limit int, ttl time.Duration) (bool, error) {
	if ttl > 0 {
		ttl = century
	}
	return m.CounterStore.AcquireSlot(ctx, key, holder, limit, ttl)
}

// originBlindRoles drops FromDataFile on every put.
type originBlindRoles struct{ storage.RoleStore }

func (o *originBlindRoles) PutRole(ctx context.Context, r permissions.Role) error {
	r.FromDataFile = false
	return o.RoleStore.PutRole(ctx, r)
}

// originBlindParameters drops FromDataFile on every put.
type originBlindParameters struct{ storage.ParameterStore }

func (o *originBlindParameters) PutParameter(ctx context.Context, p storage.Parameter) error {
	p.FromDataFile = false
	return o.ParameterStore.PutParameter(ctx, p)
}

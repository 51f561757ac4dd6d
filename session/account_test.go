package session_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// conflictingStore is a memory store whose UpdateUser, for its first
// conflicts calls, lets a concurrent writer change the user's Attributes
// first, so that the call meets a version conflict. fail, when set, is
// returned by every UpdateUser instead.
type conflictingStore struct {
	*memstore.Store
	conflicts int32
	calls     atomic.Int32
	fail      error
}

func (s *conflictingStore) Users() storage.UserStore { return conflictingUsers{s.Store.Users(), s} }

type conflictingUsers struct {
	storage.UserStore
	s *conflictingStore
}

func (u conflictingUsers) UpdateUser(ctx context.Context, nu user.User) (user.User, error) {
	n := u.s.calls.Add(1)
	if u.s.fail != nil {
		return user.User{}, u.s.fail
	}
	if n <= u.s.conflicts {
		cur, err := u.UserStore.GetUser(ctx, nu.ID)
		if err != nil {
			return user.User{}, err
		}
		cur.Attributes = map[string]string{"writer": fmt.Sprint(n)}
		if _, err := u.UserStore.UpdateUser(ctx, cur); err != nil {
			return user.User{}, err
		}
	}
	return u.UserStore.UpdateUser(ctx, nu)
}

// recorded is an AuditRecorder that keeps the actions it is given.
type recorded struct {
	mu      sync.Mutex
	actions []audit.Action
}

func (r *recorded) Record(_ context.Context, a audit.Action) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.actions = append(r.actions, a)
	return nil
}

func (r *recorded) ops(op string) []audit.Action {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []audit.Action
	for _, a := range r.actions {
		if a.OperationID == op {
			out = append(out, a)
		}
	}
	return out
}

type accountFixture struct {
	store *conflictingStore
	m     *session.Manager
	a     *session.Auth
}

// newAccountFixture logs alice in over a conflictingStore. The manager's
// recorder is cfg.Audit, or mkAudit's over the store's audit when given,
// or (both nil) the manager's own write-through one.
func newAccountFixture(t *testing.T, cfg session.Config, mod func(*user.User), mkAudit ...func(storage.AuditStore) session.AuditRecorder) *accountFixture {
	t.Helper()
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	st := &conflictingStore{Store: memstore.New(memstore.Config{Now: func() time.Time { return now }})}
	k, err := token.GenerateEd25519("")
	require.NoError(t, err)
	keys, err := token.NewKeySet(k)
	require.NoError(t, err)
	cfg.Now = func() time.Time { return now }
	cfg.Hasher = fastHasher
	for _, mk := range mkAudit {
		cfg.Audit = mk(st.Audit())
	}
	m, err := session.New(st, keys, cfg)
	require.NoError(t, err)
	h, err := fastHasher.Hash("password1")
	require.NoError(t, err)
	u := user.User{ID: "id-alice", Username: "alice", Company: "acme", Name: "Alice", PasswordHash: h}
	if mod != nil {
		mod(&u)
	}
	_, err = st.Store.Users().CreateUser(ctx, u)
	require.NoError(t, err)
	res, err := m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	a, err := m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	return &accountFixture{store: st, m: m, a: a}
}

func (f *accountFixture) stored(t *testing.T) user.User {
	t.Helper()
	u, err := f.store.Store.Users().GetUser(ctx, "id-alice")
	require.NoError(t, err)
	return u
}

func setName(name string) func(*user.User) error {
	return func(u *user.User) error { u.Name = name; return nil }
}

func TestUpdateAccountWritesAndAudits(t *testing.T) {
	rec := &recorded{}
	f := newAccountFixture(t, session.Config{Service: "svc", Audit: rec}, nil)
	c := session.Client{IP: "192.0.2.7", TraceCode: "9b2f3c1e-0000-4000-8000-000000000001"}
	got, err := f.m.UpdateAccount(ctx, f.a, func(u *user.User) error {
		u.Name, u.Phone = "Alice B", "+7 111 222"
		return nil
	}, c)
	require.NoError(t, err)
	assert.Equal(t, "Alice B", got.Name)
	assert.Equal(t, f.a.User.Version+1, got.Version)
	assert.Equal(t, got, f.stored(t), "the user as stored")

	acts := rec.ops("account_update")
	require.Len(t, acts, 1)
	a := acts[0]
	assert.Equal(t, "ok", a.Outcome)
	assert.Equal(t, "changed: name,phone", a.Detail, "names of fields, in field order, never values")
	assert.Equal(t, "alice", a.Username)
	assert.Equal(t, "acme", a.Company)
	assert.Equal(t, "svc", a.Service)
	assert.Equal(t, session.MethodGroup, a.MethodGroup)
	assert.Equal(t, c.IP, a.ClientIP)
	assert.Equal(t, c.TraceCode, a.TraceCode)
	assert.False(t, a.Time.IsZero())
}

func TestUpdateAccountWithoutChangeWritesNothing(t *testing.T) {
	rec := &recorded{}
	f := newAccountFixture(t, session.Config{Audit: rec}, nil)
	got, err := f.m.UpdateAccount(ctx, f.a, setName("Alice"), session.Client{})
	require.NoError(t, err)
	assert.Equal(t, f.a.User.Version, got.Version)
	assert.Equal(t, int32(0), f.store.calls.Load(), "no write")
	assert.Empty(t, rec.ops("account_update"), "no audit")
}

func TestUpdateAccountRetriesAfterConflicts(t *testing.T) {
	for k := int32(1); k < session.AccountUpdateAttempts; k++ {
		t.Run(fmt.Sprint(k, " conflicts"), func(t *testing.T) {
			rec := &recorded{}
			f := newAccountFixture(t, session.Config{Audit: rec}, nil)
			f.store.conflicts = k
			applied := 0
			got, err := f.m.UpdateAccount(ctx, f.a, func(u *user.User) error {
				applied++
				u.Name = "Mine"
				return nil
			}, session.Client{})
			require.NoError(t, err)
			assert.Equal(t, int(k)+1, applied, "change applied afresh after each conflict")
			assert.Equal(t, k+1, f.store.calls.Load())
			s := f.stored(t)
			assert.Equal(t, got, s)
			assert.Equal(t, "Mine", s.Name, "this update's change")
			assert.Equal(t, fmt.Sprint(k), s.Attributes["writer"], "the concurrent change is kept")
			require.Len(t, rec.ops("account_update"), 1)
			assert.Equal(t, "changed: name", rec.ops("account_update")[0].Detail)
		})
	}
}

func TestUpdateAccountConflictsInARowAreErrConflict(t *testing.T) {
	rec := &recorded{}
	f := newAccountFixture(t, session.Config{Audit: rec}, nil)
	f.store.conflicts = 1 << 20
	_, err := f.m.UpdateAccount(ctx, f.a, setName("Mine"), session.Client{})
	require.ErrorIs(t, err, session.ErrConflict)
	assert.ErrorIs(t, err, storage.ErrConflict, "the last store error is kept")
	assert.Equal(t, int32(session.AccountUpdateAttempts), f.store.calls.Load())
	assert.Equal(t, "Alice", f.stored(t).Name, "nothing of this update was written")
	assert.Empty(t, rec.ops("account_update"))
}

func TestUpdateAccountStoreFailureIsErrStore(t *testing.T) {
	f := newAccountFixture(t, session.Config{}, nil)
	f.store.fail = errors.New("disk on fire")
	_, err := f.m.UpdateAccount(ctx, f.a, setName("Mine"), session.Client{})
	require.ErrorIs(t, err, session.ErrStore)
	assert.NotErrorIs(t, err, session.ErrConflict)
}

func TestUpdateAccountChecksTheUserAsRead(t *testing.T) {
	cases := map[string]struct {
		meanwhile func(t *testing.T, f *accountFixture)
		want      error
	}{
		"blocked": {func(t *testing.T, f *accountFixture) {
			u := f.stored(t)
			u.Blocked = true
			_, err := f.store.Store.Users().UpdateUser(ctx, u)
			require.NoError(t, err)
		}, session.ErrUnauthenticated},
		"sessions revoked": {func(t *testing.T, f *accountFixture) {
			require.NoError(t, f.m.RevokeAll(ctx, "id-alice", session.Client{}))
		}, session.ErrUnauthenticated},
		"deleted": {func(t *testing.T, f *accountFixture) {
			require.NoError(t, f.store.Store.Users().DeleteUser(ctx, "id-alice"))
		}, session.ErrUnauthenticated},
		"made read-only": {func(t *testing.T, f *accountFixture) {
			u := f.stored(t)
			u.Access = user.AccessReadOnly
			_, err := f.store.Store.Users().UpdateUser(ctx, u)
			require.NoError(t, err)
		}, session.ErrReadOnly},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			rec := &recorded{}
			f := newAccountFixture(t, session.Config{Audit: rec}, nil)
			tc.meanwhile(t, f) // a.User is stale now: the write conflicts, the re-read decides
			_, err := f.m.UpdateAccount(ctx, f.a, setName("Mine"), session.Client{})
			require.ErrorIs(t, err, tc.want)
			assert.Empty(t, rec.ops("account_update"))
			if name != "deleted" {
				assert.NotEqual(t, "Mine", f.stored(t).Name)
			}
		})
	}
}

func TestUpdateAccountOfAReadOnlyUserIsErrReadOnly(t *testing.T) {
	f := newAccountFixture(t, session.Config{}, func(u *user.User) { u.Access = user.AccessReadOnly })
	called := false
	_, err := f.m.UpdateAccount(ctx, f.a, func(*user.User) error { called = true; return nil }, session.Client{})
	require.ErrorIs(t, err, session.ErrReadOnly)
	assert.False(t, called, "refused before the change is applied")
	assert.Equal(t, int32(0), f.store.calls.Load())
}

func TestUpdateAccountReturnsTheChangesError(t *testing.T) {
	f := newAccountFixture(t, session.Config{}, nil)
	mine := errors.New("username must match")
	_, err := f.m.UpdateAccount(ctx, f.a, func(u *user.User) error { u.Name = "Mine"; return mine }, session.Client{})
	require.Equal(t, mine, err, "returned as it is")
	assert.Equal(t, int32(0), f.store.calls.Load())
}

func TestUpdateAccountValidatesTheChangedFields(t *testing.T) {
	f := newAccountFixture(t, session.Config{}, nil)
	_, err := f.m.UpdateAccount(ctx, f.a, func(u *user.User) error {
		u.Name, u.Email = "Alice B", "not an address"
		return nil
	}, session.Client{})
	require.ErrorIs(t, err, user.ErrInvalid)
	var fe *user.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "email", fe.Field)
	assert.Equal(t, int32(0), f.store.calls.Load(), "nothing written")
	assert.Equal(t, "Alice", f.stored(t).Name)
}

func TestUpdateAccountDoesNotHoldUntouchedFieldsAgainstTheChange(t *testing.T) {
	// A phone stored before today's rules, which Validate refuses.
	f := newAccountFixture(t, session.Config{}, func(u *user.User) { u.Phone = "call me" })
	got, err := f.m.UpdateAccount(ctx, f.a, setName("Alice B"), session.Client{})
	require.NoError(t, err)
	assert.Equal(t, "Alice B", got.Name)
	assert.Equal(t, "call me", got.Phone)
}

func TestUpdateAccountRefusesStoreAndCredentialFields(t *testing.T) {
	for name, change := range map[string]func(*user.User){
		"id":            func(u *user.User) { u.ID = "other" },
		"version":       func(u *user.User) { u.Version++ },
		"updated_at":    func(u *user.User) { u.UpdatedAt = u.UpdatedAt.Add(time.Hour) },
		"password":      func(u *user.User) { u.PasswordHash = "$test$new" },
		"session epoch": func(u *user.User) { u.SessionEpoch++ },
	} {
		t.Run(name, func(t *testing.T) {
			f := newAccountFixture(t, session.Config{}, nil)
			_, err := f.m.UpdateAccount(ctx, f.a, func(u *user.User) error { change(u); u.Name = "Mine"; return nil }, session.Client{})
			require.ErrorIs(t, err, user.ErrInvalid)
			assert.Equal(t, int32(0), f.store.calls.Load())
		})
	}
}

// Without Config.Audit the manager writes through a recorder of its own to
// the store's audit, stamped with Config.Server.
func TestUpdateAccountAuditWritesThroughWithoutARecorder(t *testing.T) {
	f := newAccountFixture(t, session.Config{Server: "node-9"}, nil)
	_, err := f.m.UpdateAccount(ctx, f.a, setName("Mine"), session.Client{TraceCode: "9b2f3c1e-0000-4000-8000-000000000002"})
	require.NoError(t, err)
	r, err := f.store.Audit().GetAudit(ctx, "9b2f3c1e-0000-4000-8000-000000000002")
	require.NoError(t, err)
	assert.Equal(t, "account_update", r.OperationID)
	assert.Equal(t, "changed: name", r.Detail)
	assert.Equal(t, "node-9", r.Server)
	assert.Equal(t, "gatehouse", r.Service)
}

// With a buffered audit.Recorder the account update's record waits in the
// buffer: it reaches the store with the recorder's flush, not before.
func TestUpdateAccountAuditGoesThroughTheRecorder(t *testing.T) {
	gate := make(chan struct{})
	var rec *audit.Recorder
	f := newAccountFixture(t, session.Config{}, nil, func(st storage.AuditStore) session.AuditRecorder {
		var err error
		rec, err = audit.New(&heldAudit{AuditStore: st, gate: gate}, audit.Config{Buffer: 4, Server: "rec-node"})
		require.NoError(t, err)
		return rec
	})
	t.Cleanup(func() { _ = rec.Close() })
	_, err := f.m.UpdateAccount(ctx, f.a, setName("Mine"), session.Client{TraceCode: "9b2f3c1e-0000-4000-8000-000000000003"})
	require.NoError(t, err, "returns while the audit write is held")
	_, err = f.store.Audit().GetAudit(ctx, "9b2f3c1e-0000-4000-8000-000000000003")
	require.ErrorIs(t, err, storage.ErrNotFound)

	close(gate)
	require.NoError(t, rec.Close())
	r, err := f.store.Audit().GetAudit(ctx, "9b2f3c1e-0000-4000-8000-000000000003")
	require.NoError(t, err)
	assert.Equal(t, "account_update", r.OperationID)
	assert.Equal(t, "rec-node", r.Server)
	assert.Equal(t, uint64(2), rec.Stats().Written, "the login and the account update")
}

// heldAudit holds every "account_update" append until gate is closed (at
// most 2s); other records go through.
type heldAudit struct {
	storage.AuditStore
	gate chan struct{}
}

func (h *heldAudit) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	if r.OperationID == "account_update" {
		select {
		case <-h.gate:
		case <-time.After(2 * time.Second):
		}
	}
	return h.AuditStore.AppendAudit(ctx, r)
}

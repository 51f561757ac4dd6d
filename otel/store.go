package otel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Results of a store call, the values of gatehouse.store.result.
const (
	ResultOK          = "ok"
	ResultNotFound    = "not_found"   // storage.ErrNotFound
	ResultConflict    = "conflict"    // storage.ErrConflict
	ResultInvalid     = "invalid"     // storage.ErrInvalid
	ResultUnsupported = "unsupported" // errors.ErrUnsupported
	ResultCanceled    = "canceled"    // context.Canceled
	ResultTimeout     = "timeout"     // context.DeadlineExceeded
	ResultError       = "error"       // any other failure
)

var results = [...]string{ResultOK, ResultNotFound, ResultConflict, ResultInvalid, ResultUnsupported, ResultCanceled, ResultTimeout, ResultError}

// result returns the index in results of err's class.
func result(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, storage.ErrNotFound):
		return 1
	case errors.Is(err, storage.ErrConflict):
		return 2
	case errors.Is(err, storage.ErrInvalid):
		return 3
	case errors.Is(err, errors.ErrUnsupported):
		return 4
	case errors.Is(err, context.Canceled):
		return 5
	case errors.Is(err, context.DeadlineExceeded):
		return 6
	}
	return 7
}

// WrapStore returns a storage.Store that passes every call to s, in a span
// named "gatehouse.store." plus the operation ("gatehouse.store.users.GetUser",
// a child of the login's or authentication's span when there is one),
// recording its duration in the histogram gatehouse.store.duration with the
// attributes gatehouse.store.operation ("users.GetUser") and
// gatehouse.store.result (ok, not_found, conflict, invalid, unsupported,
// canceled, timeout or error; users.GetUserByUsername reports a username
// not found as ok unless Config.LoginReasons, since a login's lookup
// would otherwise tell an unknown user from a wrong password). Neither
// carries a call's arguments — a
// session hash, a counter key naming a username — nor a store's error
// message, which may quote them: a failed call's span has status Error and
// the description "store error" only.
//
// The wrapper keeps the contract of storage.Store: its accessors return
// sub-store wrappers made once, so they are stable; Ping is traced like
// the other calls; Close closes s. It keeps the optional capabilities of
// package storage, traced as store.ReadAuth and store.ReadUserAuth: it
// implements storage.AuthReader, storage.UserAuthReader and
// storage.ChangeFeed (untraced) always, calling s's when s has them and
// otherwise answering an error that wraps errors.ErrUnsupported, having
// read nothing, so that callers make the plain calls as they would on s
// (and a cache refuses a store without a feed). A capability added to package storage
// must be forwarded here.
//
// A nil o returns s itself.
func WrapStore(s storage.Store, o *Observer) storage.Store {
	if o == nil || s == nil {
		return s
	}
	w := &store{next: s, ping: o.call("store.Ping"),
		readAuth: o.call("store.ReadAuth"), readUserAuth: o.call("store.ReadUserAuth")}
	w.authReader, _ = s.(storage.AuthReader)
	w.userAuthReader, _ = s.(storage.UserAuthReader)
	w.feed, _ = s.(storage.ChangeFeed)
	us, rs, ps, ss, as, cs := s.Users(), s.Roles(), s.Parameters(), s.Sessions(), s.Audit(), s.Counters()
	w.users = &userStore{next: us,
		create: o.call("users.CreateUser"), get: o.call("users.GetUser"), getByName: o.call("users.GetUserByUsername"),
		update: o.call("users.UpdateUser"), del: o.call("users.DeleteUser"), list: o.call("users.ListUsers")}
	w.roles = &roleStore{next: rs,
		put: o.call("roles.PutRole"), get: o.call("roles.GetRole"), list: o.call("roles.ListRoles"),
		del: o.call("roles.DeleteRole"), version: o.call("roles.PolicyVersion")}
	w.params = &parameterStore{next: ps,
		put: o.call("parameters.PutParameter"), list: o.call("parameters.ListParameters"),
		del: o.call("parameters.DeleteParameter"), putSchema: o.call("parameters.PutSchema"),
		getSchema: o.call("parameters.GetSchema")}
	w.sessions = &sessionStore{next: ss,
		create: o.call("sessions.CreateSession"), get: o.call("sessions.GetSession"), touch: o.call("sessions.TouchSession"),
		revoke: o.call("sessions.RevokeSession"), list: o.call("sessions.ListSessions"),
		deleteExpired: o.call("sessions.DeleteExpiredSessions")}
	w.audit = &auditStore{next: as,
		append: o.call("audit.AppendAudit"), get: o.call("audit.GetAudit"), query: o.call("audit.QueryAudit"),
		attachment: o.call("audit.Attachment")}
	w.counters = &counterStore{next: cs,
		increment: o.call("counters.Increment"), counter: o.call("counters.Counter"), reset: o.call("counters.ResetCounter"),
		acquire: o.call("counters.AcquireSlot"), release: o.call("counters.ReleaseSlot"), slots: o.call("counters.Slots")}
	w.apiKeys = &apiKeyStore{next: s.APIKeys(),
		create: o.call("apikeys.CreateAPIKey"), get: o.call("apikeys.GetAPIKey"), list: o.call("apikeys.ListAPIKeys"),
		revoke: o.call("apikeys.RevokeAPIKey"), touch: o.call("apikeys.TouchAPIKey")}
	return w
}

// call is one store method's instruments, with its attribute sets made
// once.
type call struct {
	o        *Observer
	span     string
	start    trace.SpanStartOption
	measured [len(results)]metric.RecordOption
	status   [len(results)]attribute.KeyValue
}

func (o *Observer) call(operation string) *call {
	op := KeyStoreOperation.String(operation)
	c := &call{o: o, span: "gatehouse.store." + operation, start: trace.WithAttributes(op)}
	for i, r := range results {
		c.status[i] = KeyStoreResult.String(r)
		c.measured[i] = metric.WithAttributeSet(attribute.NewSet(op, c.status[i]))
	}
	return c
}

// probe is a call in progress.
type probe struct {
	c     *call
	span  trace.Span
	begun time.Time
}

func (c *call) begin(ctx context.Context) (context.Context, probe) {
	ctx, span := c.o.tracer.Start(ctx, c.span, c.start, trace.WithSpanKind(trace.SpanKindClient))
	return ctx, probe{c: c, span: span, begun: time.Now()}
}

func (p probe) end(ctx context.Context, err error) {
	d := time.Since(p.begun)
	i := result(err)
	p.c.o.storeDuration.Record(ctx, d.Seconds(), p.c.measured[i])
	p.span.SetAttributes(p.c.status[i])
	if results[i] == ResultError || results[i] == ResultTimeout {
		p.span.SetStatus(codes.Error, "store error")
	}
	p.span.End()
}

type store struct {
	next storage.Store
	ping *call

	authReader             storage.AuthReader     // s's, or nil
	userAuthReader         storage.UserAuthReader // s's, or nil
	feed                   storage.ChangeFeed     // s's, or nil
	readAuth, readUserAuth *call
	users                  *userStore
	roles                  *roleStore
	params                 *parameterStore
	sessions               *sessionStore
	audit                  *auditStore
	counters               *counterStore
	apiKeys                *apiKeyStore
}

func (s *store) Users() storage.UserStore           { return s.users }
func (s *store) Roles() storage.RoleStore           { return s.roles }
func (s *store) Parameters() storage.ParameterStore { return s.params }
func (s *store) Sessions() storage.SessionStore     { return s.sessions }
func (s *store) Audit() storage.AuditStore          { return s.audit }
func (s *store) Counters() storage.CounterStore     { return s.counters }
func (s *store) APIKeys() storage.APIKeyStore       { return s.apiKeys }

// errNoAuthRead is the answer of a capability the wrapped store lacks.
var errNoAuthRead = fmt.Errorf("otel: wrapped store: read auth: %w", errors.ErrUnsupported)

// ReadAuth implements storage.AuthReader over the wrapped store's.
func (s *store) ReadAuth(ctx context.Context, idHash string) (storage.AuthRead, error) {
	if s.authReader == nil {
		return storage.AuthRead{}, errNoAuthRead
	}
	ctx, p := s.readAuth.begin(ctx)
	v, err := s.authReader.ReadAuth(ctx, idHash)
	p.end(ctx, err)
	return v, err
}

// WatchChanges implements storage.ChangeFeed with the wrapped store's
// feed, untraced (it is one long subscription, not a call), or answers an
// error wrapping errors.ErrUnsupported when the wrapped store has none.
func (s *store) WatchChanges(h storage.ChangeHandler) (func(), error) {
	if s.feed == nil {
		return nil, fmt.Errorf("otel: wrapped store: watch changes: %w", errors.ErrUnsupported)
	}
	return s.feed.WatchChanges(h)
}

// ReadUserAuth implements storage.UserAuthReader over the wrapped store's.
func (s *store) ReadUserAuth(ctx context.Context, userID string) (storage.UserAuthRead, error) {
	if s.userAuthReader == nil {
		return storage.UserAuthRead{}, errNoAuthRead
	}
	ctx, p := s.readUserAuth.begin(ctx)
	v, err := s.userAuthReader.ReadUserAuth(ctx, userID)
	p.end(ctx, err)
	return v, err
}

func (s *store) Ping(ctx context.Context) error {
	ctx, p := s.ping.begin(ctx)
	err := s.next.Ping(ctx)
	p.end(ctx, err)
	return err
}

func (s *store) Close() error { return s.next.Close() }

type userStore struct {
	next                                      storage.UserStore
	create, get, getByName, update, del, list *call
}

func (s *userStore) CreateUser(ctx context.Context, u user.User) (user.User, error) {
	ctx, p := s.create.begin(ctx)
	v, err := s.next.CreateUser(ctx, u)
	p.end(ctx, err)
	return v, err
}

func (s *userStore) GetUser(ctx context.Context, id string) (user.User, error) {
	ctx, p := s.get.begin(ctx)
	v, err := s.next.GetUser(ctx, id)
	p.end(ctx, err)
	return v, err
}

func (s *userStore) GetUserByUsername(ctx context.Context, username string) (user.User, error) {
	ctx, p := s.getByName.begin(ctx)
	v, err := s.next.GetUserByUsername(ctx, username)
	if errors.Is(err, storage.ErrNotFound) && !s.getByName.o.loginReasons {
		// A login looks its username up: "not_found" beside "ok" would
		// tell an unknown user from a wrong password, which only
		// Config.LoginReasons may.
		p.end(ctx, nil)
		return v, err
	}
	p.end(ctx, err)
	return v, err
}

func (s *userStore) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	ctx, p := s.update.begin(ctx)
	v, err := s.next.UpdateUser(ctx, u)
	p.end(ctx, err)
	return v, err
}

func (s *userStore) DeleteUser(ctx context.Context, id string) error {
	ctx, p := s.del.begin(ctx)
	err := s.next.DeleteUser(ctx, id)
	p.end(ctx, err)
	return err
}

func (s *userStore) ListUsers(ctx context.Context, q storage.UserQuery) ([]user.User, error) {
	ctx, p := s.list.begin(ctx)
	v, err := s.next.ListUsers(ctx, q)
	p.end(ctx, err)
	return v, err
}

type roleStore struct {
	next                         storage.RoleStore
	put, get, list, del, version *call
}

func (s *roleStore) PutRole(ctx context.Context, r permissions.Role) error {
	ctx, p := s.put.begin(ctx)
	err := s.next.PutRole(ctx, r)
	p.end(ctx, err)
	return err
}

func (s *roleStore) GetRole(ctx context.Context, code string) (permissions.Role, error) {
	ctx, p := s.get.begin(ctx)
	v, err := s.next.GetRole(ctx, code)
	p.end(ctx, err)
	return v, err
}

func (s *roleStore) ListRoles(ctx context.Context) ([]permissions.Role, error) {
	ctx, p := s.list.begin(ctx)
	v, err := s.next.ListRoles(ctx)
	p.end(ctx, err)
	return v, err
}

func (s *roleStore) DeleteRole(ctx context.Context, code string) error {
	ctx, p := s.del.begin(ctx)
	err := s.next.DeleteRole(ctx, code)
	p.end(ctx, err)
	return err
}

func (s *roleStore) PolicyVersion(ctx context.Context) (int64, error) {
	ctx, p := s.version.begin(ctx)
	v, err := s.next.PolicyVersion(ctx)
	p.end(ctx, err)
	return v, err
}

type parameterStore struct {
	next                                 storage.ParameterStore
	put, list, del, putSchema, getSchema *call
}

func (s *parameterStore) PutParameter(ctx context.Context, v storage.Parameter) error {
	ctx, p := s.put.begin(ctx)
	err := s.next.PutParameter(ctx, v)
	p.end(ctx, err)
	return err
}

func (s *parameterStore) ListParameters(ctx context.Context) ([]storage.Parameter, error) {
	ctx, p := s.list.begin(ctx)
	v, err := s.next.ListParameters(ctx)
	p.end(ctx, err)
	return v, err
}

func (s *parameterStore) DeleteParameter(ctx context.Context, code string) error {
	ctx, p := s.del.begin(ctx)
	err := s.next.DeleteParameter(ctx, code)
	p.end(ctx, err)
	return err
}

func (s *parameterStore) PutSchema(ctx context.Context, v storage.Schema) error {
	ctx, p := s.putSchema.begin(ctx)
	err := s.next.PutSchema(ctx, v)
	p.end(ctx, err)
	return err
}

func (s *parameterStore) GetSchema(ctx context.Context) (storage.Schema, error) {
	ctx, p := s.getSchema.begin(ctx)
	v, err := s.next.GetSchema(ctx)
	p.end(ctx, err)
	return v, err
}

type sessionStore struct {
	next                                            storage.SessionStore
	create, get, touch, revoke, list, deleteExpired *call
}

func (s *sessionStore) CreateSession(ctx context.Context, v storage.Session) error {
	ctx, p := s.create.begin(ctx)
	err := s.next.CreateSession(ctx, v)
	p.end(ctx, err)
	return err
}

func (s *sessionStore) GetSession(ctx context.Context, idHash string) (storage.Session, error) {
	ctx, p := s.get.begin(ctx)
	v, err := s.next.GetSession(ctx, idHash)
	p.end(ctx, err)
	return v, err
}

func (s *sessionStore) TouchSession(ctx context.Context, idHash string, lastSeen time.Time) error {
	ctx, p := s.touch.begin(ctx)
	err := s.next.TouchSession(ctx, idHash, lastSeen)
	p.end(ctx, err)
	return err
}

func (s *sessionStore) RevokeSession(ctx context.Context, idHash string) error {
	ctx, p := s.revoke.begin(ctx)
	err := s.next.RevokeSession(ctx, idHash)
	p.end(ctx, err)
	return err
}

func (s *sessionStore) ListSessions(ctx context.Context, userID string) ([]storage.Session, error) {
	ctx, p := s.list.begin(ctx)
	v, err := s.next.ListSessions(ctx, userID)
	p.end(ctx, err)
	return v, err
}

func (s *sessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	ctx, p := s.deleteExpired.begin(ctx)
	v, err := s.next.DeleteExpiredSessions(ctx, now)
	p.end(ctx, err)
	return v, err
}

type auditStore struct {
	next                           storage.AuditStore
	append, get, query, attachment *call
}

func (s *auditStore) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	ctx, p := s.append.begin(ctx)
	err := s.next.AppendAudit(ctx, r)
	p.end(ctx, err)
	return err
}

func (s *auditStore) GetAudit(ctx context.Context, traceCode string) (storage.AuditRecord, error) {
	ctx, p := s.get.begin(ctx)
	v, err := s.next.GetAudit(ctx, traceCode)
	p.end(ctx, err)
	return v, err
}

func (s *auditStore) QueryAudit(ctx context.Context, q storage.AuditQuery) (storage.AuditPage, error) {
	ctx, p := s.query.begin(ctx)
	v, err := s.next.QueryAudit(ctx, q)
	p.end(ctx, err)
	return v, err
}

func (s *auditStore) Attachment(ctx context.Context, traceCode string, flow storage.Flow, stage int) (storage.Attachment, error) {
	ctx, p := s.attachment.begin(ctx)
	v, err := s.next.Attachment(ctx, traceCode, flow, stage)
	p.end(ctx, err)
	return v, err
}

type counterStore struct {
	next                                               storage.CounterStore
	increment, counter, reset, acquire, release, slots *call
}

func (s *counterStore) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	ctx, p := s.increment.begin(ctx)
	v, err := s.next.Increment(ctx, key, delta, ttl)
	p.end(ctx, err)
	return v, err
}

func (s *counterStore) Counter(ctx context.Context, key string) (int64, time.Time, error) {
	ctx, p := s.counter.begin(ctx)
	v, at, err := s.next.Counter(ctx, key)
	p.end(ctx, err)
	return v, at, err
}

func (s *counterStore) ResetCounter(ctx context.Context, key string) error {
	ctx, p := s.reset.begin(ctx)
	err := s.next.ResetCounter(ctx, key)
	p.end(ctx, err)
	return err
}

func (s *counterStore) AcquireSlot(ctx context.Context, key, holder string, limit int, ttl time.Duration) (bool, error) {
	ctx, p := s.acquire.begin(ctx)
	v, err := s.next.AcquireSlot(ctx, key, holder, limit, ttl)
	p.end(ctx, err)
	return v, err
}

func (s *counterStore) ReleaseSlot(ctx context.Context, key, holder string) error {
	ctx, p := s.release.begin(ctx)
	err := s.next.ReleaseSlot(ctx, key, holder)
	p.end(ctx, err)
	return err
}

func (s *counterStore) Slots(ctx context.Context, key string) (int, error) {
	ctx, p := s.slots.begin(ctx)
	v, err := s.next.Slots(ctx, key)
	p.end(ctx, err)
	return v, err
}

// apiKeyStore traces an API key store. Like every sub-store wrapper it
// records no argument: no key hash, id, name or role reaches a span or a
// metric.
type apiKeyStore struct {
	next                             storage.APIKeyStore
	create, get, list, revoke, touch *call
}

func (s *apiKeyStore) CreateAPIKey(ctx context.Context, k storage.APIKey) error {
	ctx, p := s.create.begin(ctx)
	err := s.next.CreateAPIKey(ctx, k)
	p.end(ctx, err)
	return err
}

func (s *apiKeyStore) GetAPIKey(ctx context.Context, keyHash string) (storage.APIKey, error) {
	ctx, p := s.get.begin(ctx)
	v, err := s.next.GetAPIKey(ctx, keyHash)
	p.end(ctx, err)
	return v, err
}

func (s *apiKeyStore) ListAPIKeys(ctx context.Context, userID string) ([]storage.APIKey, error) {
	ctx, p := s.list.begin(ctx)
	v, err := s.next.ListAPIKeys(ctx, userID)
	p.end(ctx, err)
	return v, err
}

func (s *apiKeyStore) RevokeAPIKey(ctx context.Context, userID, id string) error {
	ctx, p := s.revoke.begin(ctx)
	err := s.next.RevokeAPIKey(ctx, userID, id)
	p.end(ctx, err)
	return err
}

func (s *apiKeyStore) TouchAPIKey(ctx context.Context, keyHash string, lastUsed time.Time) error {
	ctx, p := s.touch.begin(ctx)
	err := s.next.TouchAPIKey(ctx, keyHash, lastUsed)
	p.end(ctx, err)
	return err
}

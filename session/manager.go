package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// Manager opens, checks and ends sessions over a store: login, Authenticate,
// logout, password change and revocation. It is safe for concurrent use, and
// several Managers (in one process or many) may share one store: everything
// that decides whether a session is live is read from the store.
type Manager struct {
	store    storage.Store
	cfg      Config
	signer   *token.Signer
	verifier *token.Verifier
	dummy    func(password string)
	pad      func(encoded, password string) // nil: the hasher cannot pad
	hashSem  chan struct{}
	// truncWarned remembers the users already warned about a plain bcrypt
	// hash their password is too long for (see checkPassword).
	truncWarned onceSet
	perms       *permissions.Cache

	// policy caches the store's policy version for cfg.PolicyRefresh.
	policy atomic.Pointer[policyStamp]
	// params and schema keep what Parameters and Schema read, under the
	// store's parameters version.
	params versionedCache[[]storage.Parameter]
	schema versionedCache[storage.Schema]
	// known keeps the codes of the roles the store has, under the policy
	// version, once a user was found holding one it does not: without it
	// every request of that user would list the roles again.
	known versionedCache[map[string]bool]

	resets resets // password reset deliveries under way
}

type policyStamp struct {
	version int64
	read    time.Time
}

// New returns a Manager over store that signs and verifies tokens with keys.
// With Config.Audit nil it makes a write-through audit.Recorder over
// store.Audit(), taken once (a store's accessors are stable for its
// lifetime, see storage.Store).
func New(store storage.Store, keys *token.KeySet, cfg Config) (*Manager, error) {
	if store == nil || keys == nil {
		return nil, fmt.Errorf("%w: a store and a key set are required", ErrConfig)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.Audit == nil {
		// Write through to the store's audit, once per action, as the
		// manager's own records always were without a recorder.
		rec, err := audit.New(store.Audit(), audit.Config{
			Attempts: 1, Server: cfg.Server, Now: cfg.Now, Logger: cfg.Logger,
			Observer: cfg.Observer,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: audit: %w", ErrConfig, err)
		}
		cfg.Audit = rec
	}
	m := &Manager{store: store, cfg: cfg, perms: permissions.NewCache(0)}
	m.resets.sem = make(chan struct{}, cfg.PasswordReset.MaxPending)
	if m.signer, err = token.NewSigner(keys, cfg.Token); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if m.verifier, err = token.NewVerifier(keys, cfg.Token); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if dv, ok := cfg.Hasher.(user.DummyVerifier); ok {
		m.dummy = dv.VerifyDummy
	} else {
		h, err := cfg.Hasher.Hash("gatehouse dummy password")
		if err != nil {
			return nil, fmt.Errorf("%w: dummy hash: %w", ErrConfig, err)
		}
		m.dummy = func(pw string) { _, _, _ = cfg.Hasher.Verify(h, pw) }
	}
	if wp, ok := cfg.Hasher.(user.WorkPadder); ok {
		m.pad = wp.PadWork
	}
	if cfg.MaxConcurrentHashes > 0 {
		m.hashSem = make(chan struct{}, cfg.MaxConcurrentHashes)
	}
	return m, nil
}

// Verifier returns the token verifier, for callers that only need to know
// whether a token was issued here (it says nothing about the session).
func (m *Manager) Verifier() *token.Verifier { return m.verifier }

// Hasher returns the password hasher the manager verifies and hashes with
// (Config.Hasher, or the default), so that passwords set elsewhere — a data
// file, an admin tool — are hashed the same way.
func (m *Manager) Hasher() user.Hasher { return m.cfg.Hasher }

// Client describes where a request comes from, for the session record and
// the audit.
type Client struct {
	// IP is the client address (the host decides whether to trust proxy
	// headers); used for the per-address throttle.
	IP string
	// UserAgent is stored with a new session.
	UserAgent string
	// TraceCode, when set, is the trace code of the audit record (the
	// request's); otherwise a new UUID.
	TraceCode string
}

// LoginRequest is a login by username and password.
type LoginRequest struct {
	Username string
	Password string
	// TTL is the lifetime of the session and its token: 0 means
	// Config.SessionTTL; otherwise whole seconds in 60..31556926.
	TTL time.Duration
	// OTP is the one-time code (six digits) of a user with TOTP enabled;
	// RecoveryCode one of the user's recovery codes, in its place. Both
	// are ignored for a user without TOTP.
	OTP          string
	RecoveryCode string
	Client
}

// Result is an opened session.
type Result struct {
	// SessionID is the opaque session id (43 base64url characters) for a
	// cookie. It is the session's secret: the store keeps only its hash,
	// and it must never be logged, echoed in a body or put in a URL.
	SessionID string
	// Token is an access token (JWT) for the session, whose sid claim is
	// the session's IDHash.
	Token  string
	Claims *token.Claims
	// Session is the record as stored.
	Session storage.Session
	// User is the user as read at login, after any rehash.
	User user.User
}

// Login checks a username and password and opens a new session.
//
// An unknown username, a user without a password, a wrong password and a
// blocked user all get ErrInvalidCredentials after at least the work of one
// verification with the configured hasher, whatever hash the user has (see
// user.WorkPadder). While the username or the address is locked out the
// error is a *LockedError and no password is checked. A hash of an older
// scheme or cost is replaced after a successful check, unless the password
// is one a plain bcrypt hash cannot tell from others (user.RehashUnsafe):
// then the hash is kept and a warning logged, once per user. Every outcome
// is audited.
// Any storage error is an ErrStore and opens nothing. Config.Observer,
// when set, is told of every login with its outcome.
func (m *Manager) Login(ctx context.Context, req LoginRequest) (*Result, error) {
	if m.cfg.Observer == nil {
		return m.login(ctx, req, nil)
	}
	start := time.Now()
	ctx = m.cfg.Observer.LoginStart(ctx)
	var reason observe.LoginReason
	res, err := m.login(ctx, req, &reason)
	e := observe.Login{Outcome: loginOutcome(err), Duration: time.Since(start)}
	switch e.Outcome {
	case observe.LoginInvalid:
		e.Reason = reason
	case observe.LoginLocked:
		e.Reason = observe.ReasonLockedUsername
		if le := (*LockedError)(nil); errors.As(err, &le) && le.key == observe.ThrottleAddress {
			e.Reason = observe.ReasonLockedAddress
		}
	}
	m.cfg.Observer.LoginDone(ctx, e)
	return res, err
}

// loginOutcome classifies the answer of a login.
func loginOutcome(err error) observe.LoginOutcome {
	switch {
	case err == nil:
		return observe.LoginOK
	case errors.Is(err, ErrInvalidCredentials), errors.Is(err, ErrOTPRequired):
		return observe.LoginInvalid
	case errors.Is(err, ErrLocked):
		return observe.LoginLocked
	case errors.Is(err, ErrBusy):
		return observe.LoginBusy
	case errors.Is(err, ErrStore):
		return observe.LoginUnavailable
	case errors.Is(err, user.ErrInvalid), errors.Is(err, token.ErrTTL):
		return observe.LoginMalformed
	}
	return observe.LoginError
}

// login is Login; reason, when not nil, receives why an invalid login was
// invalid.
func (m *Manager) login(ctx context.Context, req LoginRequest, reason *observe.LoginReason) (*Result, error) {
	trace := req.TraceCode
	rec := m.auditAction("login", req.Username, "", req.Client)
	if err := user.ValidateUsername(req.Username); err != nil {
		return nil, err
	}
	if err := user.ValidatePassword(req.Password); err != nil {
		return nil, err
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = m.cfg.SessionTTL
	}
	if ttl < token.MinTTL || ttl > token.MaxTTL || ttl%time.Second != 0 {
		return nil, fmt.Errorf("session: ttl: %w", token.ErrTTL)
	}
	holder := trace
	if holder == "" {
		var err error
		if holder, err = randid.UUID(); err != nil {
			return nil, err
		}
	}
	u, err := m.checkPassword(ctx, holder, req, &rec, reason)
	if err != nil {
		return nil, err
	}
	res, err := m.open(ctx, u, ttl, req.Client)
	if err != nil {
		m.audit(ctx, rec, "failed", "session not opened")
		return nil, err
	}
	m.audit(ctx, rec, "ok", "")
	return res, nil
}

// checkPassword runs the throttled, constant-work password check of a
// login, and the second factor of a user with TOTP enabled, and audits
// their failures. It returns the user on success; reason, when not nil,
// receives why a check failed.
func (m *Manager) checkPassword(ctx context.Context, holder string, req LoginRequest, rec *audit.Action, reason *observe.LoginReason) (user.User, error) {
	username, password, ip := req.Username, req.Password, req.IP
	att, err := m.reserve(ctx, holder, username, ip)
	if err != nil {
		outcome := "failed"
		if errors.Is(err, ErrLocked) {
			outcome = "locked"
		}
		m.audit(ctx, *rec, outcome, "")
		return user.User{}, err
	}
	release, err := m.acquireHash(ctx)
	if err != nil {
		att.undo(ctx)
		m.audit(ctx, *rec, "busy", "")
		return user.User{}, err
	}
	u, err := m.store.Users().GetUserByUsername(ctx, username)
	var ok, rehash bool
	var why string
	var class observe.LoginReason
	switch {
	case errors.Is(err, storage.ErrNotFound):
		m.dummy(password)
		why, class = "unknown user", observe.ReasonUnknownUser
	case err != nil:
		release()
		att.undo(ctx)
		m.audit(ctx, *rec, "failed", "store error")
		return user.User{}, storeErr("read user", err)
	case u.PasswordHash == "":
		m.dummy(password)
		why, class = "no password", observe.ReasonNoPassword
	default:
		var verr error
		ok, rehash, verr = m.cfg.Hasher.Verify(u.PasswordHash, password)
		if verr != nil {
			ok = false
			why, class = "unusable password hash", observe.ReasonUnusableHash
			m.cfg.Logger.WarnContext(ctx, "session: password hash cannot be verified", "user_id", u.ID, "err", verr)
		} else if !ok {
			why, class = "wrong password", observe.ReasonWrongPassword
		}
		if (!ok || u.Blocked) && m.pad != nil {
			// A failure must cost what an unknown user costs, even when
			// the stored hash is cheaper than the configured one.
			m.pad(u.PasswordHash, password)
		}
		// The stored spelling: login finds users up to case, and the
		// audit must show one account under one name.
		rec.Company, rec.Username = u.Company, u.Username
	}
	release()
	if ok && u.Blocked {
		ok, why, class = false, "blocked", observe.ReasonBlocked
	}
	var ferr2 error // the second factor's refusal
	if ok && u.TOTPEnabled {
		// Inside the throttled attempt: a missing, wrong or replayed code
		// counts as a failure, like a wrong password.
		var nu user.User
		nu, why, ferr2 = m.secondFactor(ctx, u, req.OTP, req.RecoveryCode)
		switch {
		case ferr2 == nil:
			u = nu
		case errors.Is(ferr2, ErrStore):
			att.undo(ctx)
			m.audit(ctx, *rec, "failed", why)
			return user.User{}, ferr2
		case errors.Is(ferr2, ErrOTPRequired) && req.OTP == "" && req.RecoveryCode == "":
			// The right password and no code yet: the first step of a
			// two-step login, not a failure. Counting it would lock an
			// address (an office behind one NAT) after 30 ordinary
			// logins; it tells a guesser nothing the answer does not.
			att.undo(ctx)
			if reason != nil {
				*reason = observe.ReasonSecondFactor
			}
			m.audit(ctx, *rec, "failed", why)
			return user.User{}, ferr2
		default:
			ok, class = false, observe.ReasonSecondFactor
		}
	}
	if !ok {
		if reason != nil {
			*reason = class
		}
		ferr := att.fail(ctx)
		m.audit(ctx, *rec, "failed", why)
		if ferr != nil {
			return user.User{}, ferr
		}
		if errors.Is(ferr2, ErrOTPRequired) || errors.Is(ferr2, ErrMFAUnavailable) {
			return user.User{}, ferr2
		}
		return user.User{}, ErrInvalidCredentials
	}
	att.succeed(ctx)
	switch {
	case user.RehashUnsafe(u.PasswordHash, password):
		// Other passwords verify against this plain bcrypt hash too; a hash
		// of this one could lock the owner out. Keep it, and tell.
		if m.truncWarned.first(u.ID) {
			m.cfg.Logger.WarnContext(ctx, "session: plain bcrypt hash reads only the first 72 bytes of this user's password; "+
				"kept as it is, not rehashed: ask the user to change the password", "user_id", u.ID)
		}
	case rehash:
		u = m.rehash(ctx, u, password)
	}
	return u, nil
}

// onceSet is a bounded set of keys, each reported once by first: when it
// holds onceSetMax keys it starts afresh, so a key may be reported again
// but memory stays bounded. The zero value is ready.
type onceSet struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

const onceSetMax = 4096

// first reports whether key is new to the set, and adds it.
func (s *onceSet) first(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[key]; ok {
		return false
	}
	if s.seen == nil || len(s.seen) >= onceSetMax {
		s.seen = make(map[string]struct{})
	}
	s.seen[key] = struct{}{}
	return true
}

// acquireHash takes a hashing slot, waiting at most Config.HashWait.
func (m *Manager) acquireHash(ctx context.Context) (func(), error) {
	if m.hashSem == nil {
		return func() {}, nil
	}
	release := func() { <-m.hashSem }
	select {
	case m.hashSem <- struct{}{}:
		return release, nil
	default:
	}
	t := time.NewTimer(m.cfg.HashWait)
	defer t.Stop()
	select {
	case m.hashSem <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", ErrBusy, ctx.Err())
	}
}

// rehash stores a new hash of a password that just verified against an
// older scheme or cost. Best effort: a conflict or failure keeps the old
// hash, which still verifies.
func (m *Manager) rehash(ctx context.Context, u user.User, password string) user.User {
	h, err := m.cfg.Hasher.Hash(password)
	if err != nil {
		m.cfg.Logger.WarnContext(ctx, "session: rehash", "user_id", u.ID, "err", err)
		return u
	}
	nu := u.Clone()
	nu.PasswordHash = h
	stored, err := m.store.Users().UpdateUser(ctx, nu)
	if err != nil {
		m.cfg.Logger.InfoContext(ctx, "session: rehash not stored", "user_id", u.ID, "err", err)
		return u
	}
	return stored
}

// open creates a session for u under its current epoch and issues its
// token.
func (m *Manager) open(ctx context.Context, u user.User, ttl time.Duration, c Client) (*Result, error) {
	return m.openAt(ctx, u, u.SessionEpoch, ttl, c, true)
}

// openAt creates a session for u under epoch and issues its token; store
// is false to only prepare it (ChangePassword stores it itself).
func (m *Manager) openAt(ctx context.Context, u user.User, epoch int64, ttl time.Duration, c Client, store bool) (*Result, error) {
	id, hash, err := newID()
	if err != nil {
		return nil, err
	}
	now := m.cfg.Now().Truncate(time.Second)
	tok, claims, err := m.signer.Issue(token.Identity{
		Subject:   u.ID,
		SessionID: hash,
		Name:      u.Username,
		Roles:     u.Roles,
		Company:   u.Company,
	}, ttl)
	if err != nil {
		return nil, fmt.Errorf("session: issue token: %w", err)
	}
	s := storage.Session{
		IDHash:     hash,
		UserID:     u.ID,
		CreatedAt:  now,
		ExpiresAt:  now.Add(ttl),
		LastSeenAt: now,
		ClientIP:   c.IP,
		UserAgent:  c.UserAgent,
		Epoch:      epoch,
	}
	if store {
		if err := m.store.Sessions().CreateSession(ctx, s); err != nil {
			return nil, storeErr("create session", err)
		}
	}
	return &Result{SessionID: id, Token: tok, Claims: claims, Session: s, User: u}, nil
}

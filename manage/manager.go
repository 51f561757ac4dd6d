package manage

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// The specific permissions the operations of a caller need (admins hold
// every permission).
const (
	// PermUsers lets a caller manage the users of its company.
	PermUsers = "users_manage"
	// PermRoles lets a caller manage the role catalogue.
	PermRoles = "roles_manage"
)

// MethodGroup is the audit method group of the actions a Manager records.
const MethodGroup = "MANAGE"

// SystemUsername is the audit Username of the changes made as [System].
const SystemUsername = "system"

// UpdateAttempts is how many writes an update tries before it gives up
// with ErrConflict: the first one and a retry after each of the next
// version conflicts.
const UpdateAttempts = session.AccountUpdateAttempts

// Config configures a [Manager]. The zero value is usable; gatehouse.New
// fills it from its own configuration.
type Config struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives warnings (a failed audit write). Nil means
	// slog.Default().
	Logger *slog.Logger
	// Audit records every change. Nil means a write-through recorder over
	// the store's AuditStore.
	Audit *audit.Recorder
	// PasswordPolicy decides which passwords CreateUser and SetPassword
	// accept; gatehouse passes its sessions' (session.Config.PasswordPolicy),
	// so that an administrator sets passwords by the rules users change
	// theirs by. The zero value is user.PasswordPolicy's defaults.
	PasswordPolicy user.PasswordPolicy
	// Service names the service in audit records; empty means "gatehouse".
	Service string
}

// Manager owns every run-time change of users, roles and sessions. It is
// safe for concurrent use, and several Managers (in one process or many)
// may share one store: every decision is made on what the store holds.
type Manager struct {
	store    storage.Store
	sessions *session.Manager
	cfg      Config
}

// New returns a Manager over store whose passwords are hashed with
// sessions' hasher and whose session rule is sessions'. sessions must be
// a Manager over the same store.
func New(store storage.Store, sessions *session.Manager, cfg Config) (*Manager, error) {
	if store == nil || sessions == nil {
		return nil, errors.New("manage: a store and a session manager are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Service == "" {
		cfg.Service = "gatehouse"
	}
	if cfg.Audit == nil {
		rec, err := audit.New(store.Audit(), audit.Config{Attempts: 1, Now: cfg.Now, Logger: cfg.Logger})
		if err != nil {
			return nil, fmt.Errorf("manage: audit: %w", err)
		}
		cfg.Audit = rec
	}
	return &Manager{store: store, sessions: sessions, cfg: cfg}, nil
}

// Actor is who makes a change. The zero value, [System], is the host's own
// trusted code: only validation applies. An Actor with Auth set is a
// caller, authenticated by package session (session.FromContext), and the
// rules of who may do what apply (see the package documentation). Client
// feeds the audit (address, trace code).
type Actor struct {
	Auth   *session.Auth
	Client session.Client
}

// System is the host's own code: every operation is allowed, and only
// validation applies. Its changes are audited as [SystemUsername].
var System Actor

// Caller returns the Actor of an authenticated caller.
func Caller(a *session.Auth, c session.Client) Actor { return Actor{Auth: a, Client: c} }

// isSystem reports whether the actor is the host's code.
func (a Actor) isSystem() bool { return a.Auth == nil }

// isAdmin reports whether the actor is System or an admin user.
func (a Actor) isAdmin() bool { return a.Auth == nil || a.Auth.User.Admin }

// self reports whether the actor is the user with id.
func (a Actor) self(id string) bool { return a.Auth != nil && a.Auth.User.ID == id }

// readOnly reports whether the actor is a read-only user.
func (a Actor) readOnly() bool {
	return a.Auth != nil && a.Auth.User.EffectiveAccess() == user.AccessReadOnly
}

// permSet returns the actor's permission set as if it were not read-only,
// so that a read-only manager may still read.
func (m *Manager) permSet(ctx context.Context, a Actor) (*permissions.Set, error) {
	if a.Auth.Set != nil && !a.Auth.Set.ReadOnly() {
		return a.Auth.Set, nil
	}
	roles, err := m.store.Roles().ListRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("manage: list roles: %w", err)
	}
	known := make(map[string]bool, len(roles))
	for _, r := range roles {
		known[r.Code] = true
	}
	var held []string
	for _, c := range a.Auth.User.Roles {
		if known[c] {
			held = append(held, c)
		}
	}
	set, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: held, Admin: a.Auth.User.Admin})
	if err != nil {
		return nil, forbidden(RulePermission, "the caller's roles do not compile: %v", err)
	}
	return set, nil
}

// allow checks that a caller holds one of perms (admins hold every one)
// and, when write, is not read-only. System is always allowed.
func (m *Manager) allow(ctx context.Context, a Actor, write bool, perms ...string) error {
	if a.isSystem() {
		return nil
	}
	if write && a.readOnly() {
		return forbidden(RuleReadOnly, "a read-only user changes nothing but its own sessions")
	}
	if a.Auth.User.Admin {
		return nil
	}
	set, err := m.permSet(ctx, a)
	if err != nil {
		return err
	}
	for _, p := range perms {
		if set.Specific(p) {
			return nil
		}
	}
	return forbidden(RulePermission, "needs the permission %s", perms[0])
}

// record audits one change by a.
func (m *Manager) record(ctx context.Context, a Actor, op, company, detail string) {
	act := audit.Action{
		TraceCode:   a.Client.TraceCode,
		Time:        m.cfg.Now().UTC(),
		Service:     m.cfg.Service,
		OperationID: op,
		MethodGroup: MethodGroup,
		Outcome:     "ok",
		Username:    SystemUsername,
		Company:     company,
		ClientIP:    a.Client.IP,
		Detail:      detail,
	}
	if a.Auth != nil {
		act.Username, act.Company = a.Auth.User.Username, a.Auth.User.Company
	}
	if err := m.cfg.Audit.Record(ctx, act); err != nil {
		m.cfg.Logger.WarnContext(ctx, "manage: audit write failed", "operation", op, "err", err)
	}
}

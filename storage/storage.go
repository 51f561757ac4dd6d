package storage

import (
	"context"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/user"
)

// Store is everything gatehouse keeps: one interface per concern, plus Ping
// and Close. A backend may implement every concern itself (memstore,
// sqlstore) or be composed of several backends, one per concern.
//
// Every method must be safe for concurrent use, honour its context (a
// cancelled or expired context makes it return the context's error), and
// exchange values by copy: a value passed in or returned never aliases the
// store's state. The conformance suite in package storagetest checks all of
// this; every store should pass storagetest.Run.
//
// The accessors (Users, Roles, Parameters, Sessions, Audit, Counters,
// APIKeys) are stable for the store's lifetime: each returns the same
// sub-store, or one that behaves as it does, on every call, and never
// calls the backend, so a caller may call one once and keep the result
// (an audit recorder keeps Audit(), a quota enforcer Counters()).
// memstore, sqlstore, redisstore (Sessions, Counters) and the result of
// Compose all return fields of the store fixed when it was made. A wrapper
// store that intercepts calls meets this by returning sub-store wrappers
// whose behaviour does not depend on when they were made.
type Store interface {
	Users() UserStore
	Roles() RoleStore
	Parameters() ParameterStore
	Sessions() SessionStore
	Audit() AuditStore
	Counters() CounterStore
	APIKeys() APIKeyStore

	// Ping reports whether the store answers.
	Ping(ctx context.Context) error
	// Close releases the store's resources. Calls after Close may fail.
	Close() error
}

// UserStore keeps users, unique by ID and by Username up to case.
//
// Usernames are compared up to ASCII case: two usernames are the same when
// their [FoldUsername] forms are equal ("Alice", "alice" and "ALICE" are one
// username), so a store never holds two users whose usernames differ only
// in case, which would be confusable identities in audit records and every
// UI. A store keeps the spelling it was given and returns it as stored.
// Only ASCII letters fold (usernames are ASCII word characters); any other
// byte must match exactly.
//
// storagetest.Run checks an implementation against this contract.
type UserStore interface {
	// CreateUser stores a new user and returns it as stored: Version 1 and
	// CreatedAt = UpdatedAt = the store's clock. ID and Username must not be
	// empty (ErrInvalid). An ID already in use, or a Username equal up to
	// case to another user's, is ErrConflict and stores nothing.
	CreateUser(ctx context.Context, u user.User) (user.User, error)
	// GetUser returns the user with this ID, or ErrNotFound.
	GetUser(ctx context.Context, id string) (user.User, error)
	// GetUserByUsername returns the user whose Username equals username up
	// to case (FoldUsername of both are equal), with its Username spelled
	// as stored, or ErrNotFound. Login finds users through it, so a login
	// name is matched case-insensitively.
	GetUserByUsername(ctx context.Context, username string) (user.User, error)
	// UpdateUser replaces the stored user with the same ID if, and only if,
	// u.Version equals the stored Version; it then stores Version+1 and a new
	// UpdatedAt (CreatedAt is kept) and returns the user as stored. A stale
	// Version, or a Username equal up to case to another user's, is
	// ErrConflict and changes nothing; a missing user is ErrNotFound. A user
	// may change the case of its own Username ("alice" to "Alice").
	UpdateUser(ctx context.Context, u user.User) (user.User, error)
	// DeleteUser removes the user. A missing user is ErrNotFound. Sessions of
	// the user are not removed by this call (they stop authenticating since
	// their user is gone).
	DeleteUser(ctx context.Context, id string) error
	// ListUsers returns users ordered by Username. q.Limit must be at least
	// 1 and q.Offset not negative (ErrInvalid).
	ListUsers(ctx context.Context, q UserQuery) ([]user.User, error)
}

// RoleStore keeps role definitions, unique by Code, each with where it came
// from: Role.FromDataFile, true for a role that applying the data file put
// and false for one created at run time, which datafile.File.Apply reads to
// leave run-time roles alone. storagetest.Run checks an implementation
// against this contract.
type RoleStore interface {
	// PutRole creates or replaces the role with r.Code, FromDataFile
	// included: a replaced role takes the new value. The store does not
	// validate grants (permissions.ValidateRoles does); an empty Code is
	// ErrInvalid.
	PutRole(ctx context.Context, r permissions.Role) error
	// GetRole returns the role as it was put, FromDataFile included, or
	// ErrNotFound.
	GetRole(ctx context.Context, code string) (permissions.Role, error)
	// ListRoles returns every role ordered by Code, FromDataFile included.
	ListRoles(ctx context.Context) ([]permissions.Role, error)
	// DeleteRole removes the role; a missing role is ErrNotFound.
	DeleteRole(ctx context.Context, code string) error
	// PolicyVersion returns the version of the role definitions: a number
	// that changes with every successful PutRole and DeleteRole, and never
	// returns to an earlier value for as long as the store keeps its roles.
	// Every process sharing the store sees the same version, so a permission
	// set compiled under one version stays valid until it changes.
	PolicyVersion(ctx context.Context) (int64, error)
}

// ParameterStore keeps the system session parameters and the application
// schema: the deployment-wide settings of the data file. Each parameter
// keeps where it came from (Parameter.FromDataFile), as roles do in a
// [RoleStore]. storagetest.Run checks an implementation against this
// contract.
type ParameterStore interface {
	// PutParameter creates or replaces the parameter with p.Code,
	// FromDataFile included (an empty Code is ErrInvalid).
	PutParameter(ctx context.Context, p Parameter) error
	// ListParameters returns every parameter ordered by Code, FromDataFile
	// included.
	ListParameters(ctx context.Context) ([]Parameter, error)
	// DeleteParameter removes a parameter; a missing one is ErrNotFound.
	DeleteParameter(ctx context.Context, code string) error
	// PutSchema replaces the whole schema.
	PutSchema(ctx context.Context, s Schema) error
	// GetSchema returns the schema; an empty (non-nil) one if none was put.
	GetSchema(ctx context.Context) (Schema, error)
}

// SessionStore keeps session records by IDHash.
// storagetest.Run checks an implementation against this contract.
type SessionStore interface {
	// CreateSession stores a new session. An empty IDHash or UserID is
	// ErrInvalid; an IDHash already stored is ErrConflict.
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns the session, or ErrNotFound. It returns revoked
	// sessions as they are; a store may return ErrNotFound for a session
	// whose ExpiresAt has passed.
	GetSession(ctx context.Context, idHash string) (Session, error)
	// TouchSession sets LastSeenAt (only ever forward: an older time is
	// ignored). A missing session is ErrNotFound, and so may be one the
	// store has forgotten after its ExpiresAt.
	TouchSession(ctx context.Context, idHash string, lastSeen time.Time) error
	// RevokeSession marks the session revoked; revoking twice is not an
	// error. A missing session is ErrNotFound, and so may be one the store
	// has forgotten after its ExpiresAt.
	RevokeSession(ctx context.Context, idHash string) error
	// ListSessions returns the user's sessions (revoked ones too) ordered by
	// CreatedAt.
	ListSessions(ctx context.Context, userID string) ([]Session, error)
	// DeleteExpiredSessions removes sessions whose ExpiresAt is at or before
	// now and returns how many it removed.
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
}

// AuditStore keeps audit records by TraceCode.
// storagetest.Run checks an implementation against this contract.
type AuditStore interface {
	// AppendAudit stores a record. An empty TraceCode is ErrInvalid; a
	// TraceCode already stored is ErrConflict. Attachments must have a Flow
	// of FlowInput or FlowOutput and a Stage in 0..MaxStage, each pair once
	// (ErrInvalid).
	AppendAudit(ctx context.Context, r AuditRecord) error
	// GetAudit returns the record with its attachments, or ErrNotFound.
	// Time is returned in UTC.
	GetAudit(ctx context.Context, traceCode string) (AuditRecord, error)
	// QueryAudit returns a page of records matching q. q.Company must not be
	// empty, q.Limit must be at least 1 and q.Offset not negative
	// (ErrInvalid); an unknown q.SortField is ErrInvalid. Records are
	// ordered by q.SortField, ties broken by Time then TraceCode; Descending
	// reverses the whole order, tie-breaks included.
	QueryAudit(ctx context.Context, q AuditQuery) (AuditPage, error)
	// Attachment returns the data attached to a record for one flow and
	// stage, or ErrNotFound when the record or that attachment is absent.
	Attachment(ctx context.Context, traceCode string, flow Flow, stage int) (Attachment, error)
}

// CounterStore keeps expiring counters (rate limits, brute-force counts,
// quota points) and concurrency slots. Both are atomic in the store, so the
// limits hold across every process sharing it. storagetest.Run checks an
// implementation against this contract, atomicity under concurrency included.
type CounterStore interface {
	// Increment adds delta (which may be negative) to the counter key and
	// returns the new value. A counter that does not exist, or has expired,
	// starts from zero and expires ttl after this call; later increments
	// keep that expiry. ttl must be positive (ErrInvalid).
	Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error)
	// Counter returns the counter's value and when it expires, or
	// ErrNotFound when it does not exist or has expired.
	Counter(ctx context.Context, key string) (value int64, expiresAt time.Time, err error)
	// ResetCounter deletes the counter; a missing counter is not an error.
	ResetCounter(ctx context.Context, key string) error

	// AcquireSlot takes one of limit concurrency slots of key for holder
	// (a unique id the caller makes) until ttl passes or ReleaseSlot. It
	// returns false, and takes nothing, when limit live slots are held.
	// Acquiring again with the same holder refreshes its expiry and returns
	// true. limit and ttl must be positive (ErrInvalid).
	AcquireSlot(ctx context.Context, key, holder string, limit int, ttl time.Duration) (bool, error)
	// ReleaseSlot frees holder's slot; a missing slot is not an error.
	ReleaseSlot(ctx context.Context, key, holder string) error
	// Slots counts the live slots of key.
	Slots(ctx context.Context, key string) (int, error)
}

package storage

import (
	"bytes"
	"slices"
	"time"
)

// Parameter is a system session parameter (the CRM session document's
// session_parameters): a code, a human title and a default value. Role params
// and user parameters override the value for a session.
type Parameter struct {
	Code  string `json:"code"`
	Title string `json:"title,omitempty"`
	Value string `json:"value"`
	// FromDataFile is true for a parameter that applying the data file put,
	// false for one created at run time. Applying the file deletes a
	// parameter the file no longer names only when it is true; a store
	// keeps it as put. It is never read from or written to JSON.
	FromDataFile bool `json:"-"`
}

// Schema is the application's entity schema: entity name → attribute
// names. It is what the /permissions document is computed over.
type Schema map[string][]string

// Clone returns a deep copy of s.
func (s Schema) Clone() Schema {
	if s == nil {
		return nil
	}
	c := make(Schema, len(s))
	for k, v := range s {
		c[k] = slices.Clone(v)
	}
	return c
}

// Session is the server-side record of a login. Stores key it by IDHash and
// never see the session id itself.
type Session struct {
	// IDHash is the hex-encoded SHA-256 of the opaque session id
	// (64 lower-case hex digits). It is the session's key in the store.
	IDHash string
	// UserID is the ID of the user the session belongs to.
	UserID string
	// CreatedAt is when the session was opened.
	CreatedAt time.Time
	// ExpiresAt is the absolute expiry. A store may forget a session after
	// it; until then it returns the session as it is and leaves the decision
	// to the session manager.
	ExpiresAt time.Time
	// LastSeenAt is the last time the session was used (for the idle timeout).
	LastSeenAt time.Time
	// ClientIP and UserAgent describe the client that logged in.
	ClientIP  string
	UserAgent string
	// Epoch is the user's session epoch when the session was opened.
	Epoch int64
	// Revoked is true once the session was logged out.
	Revoked bool
}

// Flow is the direction of an audit attachment: [FlowInput] or [FlowOutput].
type Flow string

// Attachment flow types (the account service's data_flow_type).
const (
	FlowInput  Flow = "INPUT"
	FlowOutput Flow = "OUTPUT"
)

// MaxStage is the highest attachment stage (the account service's
// data_flow_stage 0..3).
const MaxStage = 3

// Attachment is data attached to an audit record: what went in or came out
// of an operation at one processing stage.
type Attachment struct {
	Flow        Flow
	Stage       int
	ContentType string
	Data        []byte
}

// AuditRecord is one recorded action: a security event gatehouse records
// itself (login, logout, password change, ...) or an action of the host.
type AuditRecord struct {
	// TraceCode is the action's unique id (a UUID); the store's key.
	TraceCode string
	// Time is when the action happened (stored as UTC).
	Time        time.Time
	Username    string
	Company     string
	Server      string
	Service     string
	OperationID string
	MethodGroup string
	// Points and UniquePoints are the usage the action counts for.
	Points       int64
	UniquePoints int64
	Duration     time.Duration
	// Outcome is a short word such as "ok", "denied", "failed".
	Outcome string
	// ClientIP is where the action came from, when known.
	ClientIP string
	// Detail is a free-text note (never a secret).
	Detail string
	// Attachments are kept with the record; AuditStore.Attachment reads one.
	Attachments []Attachment
}

// Clone returns a deep copy of r.
func (r AuditRecord) Clone() AuditRecord {
	if r.Attachments != nil {
		a := make([]Attachment, len(r.Attachments))
		for i, at := range r.Attachments {
			at.Data = bytes.Clone(at.Data)
			a[i] = at
		}
		r.Attachments = a
	}
	return r
}

// AuditSortField names a field audit queries can be sorted by.
type AuditSortField string

// The audit sort fields. Ties are broken by time, then trace code.
const (
	SortByTime        AuditSortField = "time"
	SortByUsername    AuditSortField = "username"
	SortByService     AuditSortField = "service"
	SortByOperationID AuditSortField = "operation_id"
	SortByMethodGroup AuditSortField = "method_group"
	SortByPoints      AuditSortField = "points"
	SortByDuration    AuditSortField = "duration"
)

// AuditSortFields lists every [AuditSortField], in a stable order.
var AuditSortFields = []AuditSortField{SortByTime, SortByUsername, SortByService, SortByOperationID, SortByMethodGroup, SortByPoints, SortByDuration}

// AuditQuery selects audit records. Empty string fields do not filter.
type AuditQuery struct {
	// Company is required: queries never cross companies.
	Company string
	// Username, when set, limits the query to one user's actions.
	Username string
	// From and To bound Time, both inclusive; a zero value is unbounded.
	From, To    time.Time
	Service     string
	OperationID string
	MethodGroup string
	// SortField defaults to SortByTime; Descending reverses the order.
	SortField  AuditSortField
	Descending bool
	// Offset skips that many matching records; Limit (≥ 1) caps the page.
	Offset, Limit int
}

// AuditPage is one page of an audit query.
type AuditPage struct {
	// Records are the page's records, without their attachments' Data
	// (ContentType, Flow and Stage are kept).
	Records []AuditRecord
	// Total counts the company's (or, when the query names a user, that
	// user's) records, before the other filters; Filtered counts the records
	// matching every filter, before Offset and Limit.
	Total, Filtered int
}

// UserQuery selects users for ListUsers.
type UserQuery struct {
	// Company, when set, lists only that company's users.
	Company string
	// Offset skips that many users; Limit (≥ 1) caps the page.
	Offset, Limit int
}

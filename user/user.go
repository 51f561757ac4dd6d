package user

import (
	"maps"
	"slices"
	"time"
)

// Access is a user's access level: [AccessFull] or [AccessReadOnly].
type Access string

const (
	// AccessFull lets the user do whatever their roles allow.
	AccessFull Access = "full"
	// AccessReadOnly caps the user at reading: no create, update, delete or
	// specific permissions, and only GET, HEAD and OPTIONS over HTTP, except for
	// the user's own credentials (log in, log out, change password).
	AccessReadOnly Access = "read_only"
)

// User is a person or program that can log in. Stores hold users by value:
// a User returned by a store is a copy the caller may change freely, and a
// change reaches the store only through its UpdateUser method.
//
// The zero value of an optional string field (Name, Email, Phone, Locale,
// Timezone) means "not set".
type User struct {
	// ID is the stable identifier, unique in a store. It never changes.
	ID string `json:"id"`
	// Username is the login, unique in a store: ASCII word characters
	// (^\w+$), 2..256 of them. Usernames are compared exactly (case-sensitive).
	Username string `json:"username"`
	// Name is the display name, 2..256 characters, optional.
	Name string `json:"name,omitempty"`
	// Email is the e-mail address, 5..256 characters, optional.
	Email string `json:"email,omitempty"`
	// Phone is the phone number, 5..32 characters, optional.
	Phone string `json:"phone,omitempty"`
	// Company is the company key (the account service's company_key, the EDI
	// API's account):
	// ^\w+$, 3..256 characters. Users of one company form a tenant.
	Company string `json:"company"`
	// Locale is a BCP 47 language tag such as "en" or "ru", optional.
	Locale string `json:"locale,omitempty"`
	// Timezone is an IANA time zone name such as "Asia/Almaty", optional
	// (UTC when empty). Per-day statistics are cut in this zone.
	Timezone string `json:"timezone,omitempty"`
	// Access is the access level; empty means [AccessFull].
	Access Access `json:"access,omitempty"`
	// Admin users are allowed everything their Access level permits.
	Admin bool `json:"admin,omitempty"`
	// Blocked users cannot log in, and their sessions stop authenticating.
	Blocked bool `json:"blocked,omitempty"`
	// Roles are the codes of the roles the user holds.
	Roles []string `json:"roles,omitempty"`
	// Attributes are application fields (dep_id, allowFTP, kind ids, ...).
	Attributes map[string]string `json:"attributes,omitempty"`
	// Parameters override session parameters for this user, by code.
	Parameters map[string]string `json:"parameters,omitempty"`
	// PasswordHash is the encoded password hash (see [Hasher]); empty means
	// the user cannot log in with a password. It is never serialised to JSON.
	PasswordHash string `json:"-"`
	// PasswordChangedAt is when the password was last set.
	PasswordChangedAt time.Time `json:"password_changed_at,omitzero"`
	// SessionEpoch is bumped to end every session of the user at once
	// (password change, revoke all). A session is live only while the epoch
	// it was opened under equals the user's current one.
	SessionEpoch int64 `json:"session_epoch,omitempty"`
	// TOTPSecret is the user's TOTP secret (RFC 6238), sealed by package
	// session with the host's key (AES-GCM): never the plain secret. Empty
	// means no second factor, enrolled or pending. Never serialised to JSON.
	TOTPSecret string `json:"-"`
	// TOTPEnabled says the secret in TOTPSecret was confirmed with a code:
	// every login of the user then needs a one-time code or a recovery
	// code. False with a TOTPSecret is an enrolment still pending.
	TOTPEnabled bool `json:"totp_enabled,omitempty"`
	// TOTPLastStep is the last TOTP time step whose code was accepted; a
	// code of this step or an earlier one is refused (no replay).
	TOTPLastStep int64 `json:"-"`
	// RecoveryCodes are the hashes (hex SHA-256) of the recovery codes not
	// used yet; each works once, in place of a one-time code.
	RecoveryCodes []string `json:"-"`
	// ResetTokenHash is the hash (hex SHA-256) of the pending password
	// reset token, if any; ResetExpiresAt is when it expires, and
	// ResetEpoch the SessionEpoch it was issued under: any password change
	// (which bumps the epoch) kills it.
	ResetTokenHash string    `json:"-"`
	ResetExpiresAt time.Time `json:"-"`
	ResetEpoch     int64     `json:"-"`
	// CreatedAt and UpdatedAt are set by the store.
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
	// Version is the optimistic concurrency version, set by the store: 1 on
	// create, incremented by every successful update. An update must carry
	// the version it read, or the store answers ErrConflict.
	Version int64 `json:"version,omitempty"`
}

// EffectiveAccess returns u.Access, or [AccessFull] when it is empty.
func (u *User) EffectiveAccess() Access {
	if u.Access == "" {
		return AccessFull
	}
	return u.Access
}

// Clone returns a deep copy of u: its slices and maps are not shared.
func (u User) Clone() User {
	u.Roles = slices.Clone(u.Roles)
	u.Attributes = maps.Clone(u.Attributes)
	u.Parameters = maps.Clone(u.Parameters)
	u.RecoveryCodes = slices.Clone(u.RecoveryCodes)
	return u
}

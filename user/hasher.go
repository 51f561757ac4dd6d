package user

import (
	"errors"
	"fmt"
	"strings"
)

// Hasher hashes and verifies passwords. Implementations must be safe for
// concurrent use. [NewHasher] returns one that verifies every scheme of this
// package; [NewBcrypt] and [NewArgon2id] return single-scheme ones.
type Hasher interface {
	// Hash returns the encoded hash of password, salted afresh, ready to
	// store in [User].PasswordHash. It never truncates nor normalises the
	// password.
	Hash(password string) (string, error)
	// Verify reports whether password matches the encoded hash. A wrong
	// password is ok == false with a nil error; an error means the hash could
	// not be checked (empty, malformed, unknown scheme, too expensive) and
	// must be treated as a failed login. needsRehash, meaningful only when
	// ok, asks the caller to store Hash(password) in place of encoded,
	// because encoded uses another scheme or weaker/other parameters than
	// the configured ones.
	Verify(encoded, password string) (ok, needsRehash bool, err error)
}

// DummyVerifier is implemented by the hashers of this package. VerifyDummy
// spends the work of a real Verify against a hash of the configured scheme
// and parameters, and discards the result. A login must call it when the
// username is unknown, or the user has no password hash, so that those cases
// take as long as a wrong password (see the README, "Passwords").
// A caller holding a Hasher without it can verify against a hash it made
// once with Hash. A stored hash of cheaper parameters (an imported cost-10
// bcrypt hash under cost 12) verifies faster than the dummy: see
// [WorkPadder] for evening that out.
type DummyVerifier interface {
	VerifyDummy(password string)
}

// WorkPadder is implemented by the hashers of this package. PadWork spends,
// after a Verify of password against encoded, whatever work brings that
// attempt up to at least the work of one VerifyDummy: nothing when encoded
// is of the configured scheme and at least its parameters, the missing
// rounds for a cheaper hash of the configured scheme, a whole VerifyDummy
// otherwise (another scheme, or a hash Verify refused without hashing). A
// login calls it after every failed check of a real hash, so that a wrong
// password costs at least as much as an unknown user, whatever hash the user
// has (see the README, "Passwords").
type WorkPadder interface {
	PadWork(encoded, password string)
}

// Scheme names the scheme [MultiHasher.Hash] uses for new hashes.
type Scheme string

const (
	// SchemeBcrypt is gatehouse's pre-hashed bcrypt ([BcryptPrefix]).
	SchemeBcrypt Scheme = "bcrypt"
	// SchemeArgon2id is argon2id in the PHC string format.
	SchemeArgon2id Scheme = "argon2id"
)

// HasherConfig configures [NewHasher]. The zero value hashes with bcrypt at
// the default cost and verifies argon2id hashes with the default limits.
type HasherConfig struct {
	// Scheme is the scheme of new hashes: "" means SchemeBcrypt.
	Scheme Scheme
	// Bcrypt configures bcrypt hashing and verification.
	Bcrypt BcryptConfig
	// Argon2 configures argon2id hashing and verification.
	Argon2 Argon2Config
}

// MultiHasher is a [Hasher] that hashes with one configured scheme and
// verifies all of them: gatehouse bcrypt, plain bcrypt ($2a$, $2b$, $2y$)
// and argon2id. A hash of another scheme than the configured one verifies
// and reports needsRehash, so switching schemes migrates users as they log
// in. It is safe for concurrent use.
type MultiHasher struct {
	scheme Scheme
	bcrypt *Bcrypt
	argon2 *Argon2id
}

// NewHasher returns a [MultiHasher] configured by cfg, or an error wrapping
// [ErrConfig].
func NewHasher(cfg HasherConfig) (*MultiHasher, error) {
	s := cfg.Scheme
	if s == "" {
		s = SchemeBcrypt
	}
	if s != SchemeBcrypt && s != SchemeArgon2id {
		return nil, fmt.Errorf("%w: unknown scheme %q", ErrConfig, s)
	}
	b, err := NewBcrypt(cfg.Bcrypt)
	if err != nil {
		return nil, err
	}
	a, err := NewArgon2id(cfg.Argon2)
	if err != nil {
		return nil, err
	}
	return &MultiHasher{scheme: s, bcrypt: b, argon2: a}, nil
}

// Hash hashes password with the configured scheme.
func (m *MultiHasher) Hash(password string) (string, error) {
	if m.scheme == SchemeArgon2id {
		return m.argon2.Hash(password)
	}
	return m.bcrypt.Hash(password)
}

// Verify verifies password against a hash of any supported scheme (see
// [Bcrypt.Verify] and [Argon2id.Verify]). needsRehash is also true when the
// hash's scheme is not the configured one, except when [RehashUnsafe]
// holds: a plain bcrypt hash verified by a password of 72 bytes or more is
// kept as it is.
func (m *MultiHasher) Verify(encoded, password string) (ok, needsRehash bool, err error) {
	switch kind := schemeOf(encoded); kind {
	case schemeGHBcrypt, schemeLegacyBcrypt:
		ok, needsRehash, err = m.bcrypt.Verify(encoded, password)
		if RehashUnsafe(encoded, password) {
			return ok, false, err
		}
		return ok, ok && (needsRehash || m.scheme != SchemeBcrypt), err
	case schemeArgon2id:
		ok, needsRehash, err = m.argon2.Verify(encoded, password)
		return ok, ok && (needsRehash || m.scheme != SchemeArgon2id), err
	case schemeNone:
		return false, false, ErrNoHash
	default:
		return false, false, ErrUnknownScheme
	}
}

// VerifyDummy spends the work of a Verify with the configured scheme and
// discards the result; see [DummyVerifier].
func (m *MultiHasher) VerifyDummy(password string) {
	if m.scheme == SchemeArgon2id {
		m.argon2.VerifyDummy(password)
		return
	}
	m.bcrypt.VerifyDummy(password)
}

// PadWork spends the work that brings a Verify against encoded up to at
// least one VerifyDummy of the configured scheme; see [WorkPadder]. A hash
// of the configured scheme is padded by that scheme's PadWork; a hash of
// another scheme (or none) gets a whole VerifyDummy on top of its own work.
func (m *MultiHasher) PadWork(encoded, password string) {
	switch kind := schemeOf(encoded); {
	case m.scheme == SchemeBcrypt && (kind == schemeGHBcrypt || kind == schemeLegacyBcrypt):
		m.bcrypt.PadWork(encoded, password)
	case m.scheme == SchemeArgon2id && kind == schemeArgon2id:
		m.argon2.PadWork(encoded, password)
	default:
		m.VerifyDummy(password)
	}
}

// scheme is the kind of an encoded hash, told by its prefix.
type scheme string

const (
	schemeNone         scheme = "empty"
	schemeUnknown      scheme = "unknown"
	schemeGHBcrypt     scheme = "gh1-bcrypt-sha384"
	schemeLegacyBcrypt scheme = "plain bcrypt"
	schemeArgon2id     scheme = "argon2id"
)

func schemeOf(encoded string) scheme {
	switch {
	case encoded == "":
		return schemeNone
	case strings.HasPrefix(encoded, BcryptPrefix):
		return schemeGHBcrypt
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		return schemeLegacyBcrypt
	case strings.HasPrefix(encoded, "$argon2id$"):
		return schemeArgon2id
	default:
		return schemeUnknown
	}
}

var (
	_ Hasher        = (*MultiHasher)(nil)
	_ Hasher        = (*Bcrypt)(nil)
	_ Hasher        = (*Argon2id)(nil)
	_ DummyVerifier = (*MultiHasher)(nil)
	_ DummyVerifier = (*Bcrypt)(nil)
	_ DummyVerifier = (*Argon2id)(nil)
	_ WorkPadder    = (*MultiHasher)(nil)
	_ WorkPadder    = (*Bcrypt)(nil)
	_ WorkPadder    = (*Argon2id)(nil)
)

// dummyPassword is what dummy hashes are made of; its value does not matter.
const dummyPassword = "gatehouse dummy password, never a real one"

// CheckHash reports whether encoded is a well-formed hash of a scheme this
// package verifies (see "Password hash format"), without verifying any
// password: for hashes imported from a data file or another system. It
// returns nil, or an error wrapping [ErrNoHash], [ErrUnknownScheme] or
// [ErrMalformedHash]. It does not apply a hasher's limits: a hash above them
// passes here and is refused by Verify with [ErrHashTooExpensive].
func CheckHash(encoded string) error {
	var err error
	switch kind := schemeOf(encoded); kind {
	case schemeGHBcrypt:
		_, err = parseBcrypt("$" + strings.TrimPrefix(encoded, BcryptPrefix))
	case schemeLegacyBcrypt:
		_, err = parseBcrypt(encoded)
	case schemeArgon2id:
		_, _, _, err = parseArgon2id(encoded)
		if errors.Is(err, ErrHashTooExpensive) {
			err = nil
		}
	case schemeNone:
		err = ErrNoHash
	default:
		err = fmt.Errorf("%w: %s", ErrUnknownScheme, kind)
	}
	return err
}

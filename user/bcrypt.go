package user

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Bcrypt costs. [NewBcrypt] refuses a cost below MinBcryptCost; Verify
// refuses, without hashing, any hash whose cost is above the configured
// MaxCost (DefaultBcryptMaxCost unless set).
const (
	MinBcryptCost        = 10
	DefaultBcryptCost    = 12
	DefaultBcryptMaxCost = 16
)

// BcryptPrefix starts every hash made by [Bcrypt.Hash]: version 1 of
// gatehouse's pre-hashed bcrypt. See "Password hash format" in the package
// documentation.
const BcryptPrefix = "$gh1-bcrypt-sha384$"

// BcryptConfig configures [NewBcrypt]. The zero value means the defaults.
type BcryptConfig struct {
	// Cost is the bcrypt cost of new hashes: 0 means DefaultBcryptCost (12);
	// below MinBcryptCost (10) or above 31 is refused. Hashes of another cost
	// still verify and are reported as needing a rehash.
	Cost int
	// MaxCost is the highest cost Verify accepts (an imported hash of cost 31
	// would take hours): 0 means the larger of DefaultBcryptMaxCost (16) and
	// Cost. It may not be below Cost nor above 31.
	MaxCost int
	// Pepper is the HMAC-SHA-384 key of the pre-hash: a secret kept out of the
	// database (from configuration or a secret store), so that a stolen
	// database alone cannot be brute-forced. Empty means no pepper (the HMAC
	// key is empty). Changing it makes every hash made with the old one fail
	// to verify; plain bcrypt hashes ($2a$, $2b$, $2y$) do not use it.
	Pepper []byte
}

// Bcrypt is a [Hasher] using bcrypt with a pre-hash, so that every byte of a
// password up to any length counts (bcrypt alone reads only 72 bytes). It
// also verifies plain bcrypt hashes made by other systems. It is safe for
// concurrent use.
type Bcrypt struct {
	cost    int
	maxCost int
	pepper  []byte

	dummyOnce sync.Once
	dummy     string

	// onWork, when set (by tests), is told the cost of every bcrypt run.
	onWork func(cost int)
}

// NewBcrypt returns a bcrypt [Hasher] configured by cfg, or an error
// wrapping [ErrConfig] when cfg is unsafe or inconsistent.
func NewBcrypt(cfg BcryptConfig) (*Bcrypt, error) {
	cost := cfg.Cost
	if cost == 0 {
		cost = DefaultBcryptCost
	}
	if cost < MinBcryptCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("%w: bcrypt cost %d outside %d..%d", ErrConfig, cost, MinBcryptCost, bcrypt.MaxCost)
	}
	maxCost := cfg.MaxCost
	if maxCost == 0 {
		maxCost = max(DefaultBcryptMaxCost, cost)
	}
	if maxCost < cost || maxCost > bcrypt.MaxCost {
		return nil, fmt.Errorf("%w: bcrypt MaxCost %d outside %d..%d", ErrConfig, maxCost, cost, bcrypt.MaxCost)
	}
	return &Bcrypt{cost: cost, maxCost: maxCost, pepper: append([]byte(nil), cfg.Pepper...)}, nil
}

// Hash returns the encoded hash of password: [BcryptPrefix] followed by a
// bcrypt hash (without its leading "$") of the pre-hashed password. It
// refuses an empty password with [ErrEmptyPassword]; it does not otherwise
// judge the password (see [PasswordPolicy]).
func (b *Bcrypt) Hash(password string) (string, error) {
	if password == "" {
		return "", ErrEmptyPassword
	}
	h, err := b.generate(b.prehash(password), b.cost)
	if err != nil {
		return "", fmt.Errorf("user: bcrypt: %w", err)
	}
	return BcryptPrefix + string(h[1:]), nil
}

// Verify reports whether password matches encoded, which is either a hash
// made by [Bcrypt.Hash] or a plain bcrypt hash ($2a$, $2b$ or $2y$) made by
// another system. needsRehash is true, when ok, for a plain bcrypt hash and
// for a hash of another cost than the configured one: the caller should then
// store a new Hash of the password it just verified.
//
// A wrong password is ok == false with a nil error. An error means the hash
// could not be checked: [ErrNoHash] (empty), [ErrMalformedHash],
// [ErrUnknownScheme] (argon2id: use [NewHasher] to verify every scheme) or
// [ErrHashTooExpensive] (cost above MaxCost, refused before hashing).
//
// A plain bcrypt hash is compared the way the system that made it did: only
// the first 72 bytes of the password count. Refusing longer passwords would
// lock out users whose long password that system accepted, so they log in
// as before; but such a password is never reported as needing a rehash
// (see [RehashUnsafe]): another password sharing its first 72 bytes
// verifies too, and a rehash from it would lock the owner out.
func (b *Bcrypt) Verify(encoded, password string) (ok, needsRehash bool, err error) {
	switch kind := schemeOf(encoded); kind {
	case schemeGHBcrypt, schemeLegacyBcrypt:
		return b.verify(kind, encoded, password)
	case schemeNone:
		return false, false, ErrNoHash
	default:
		return false, false, fmt.Errorf("%w: bcrypt hasher given a %s hash", ErrUnknownScheme, kind)
	}
}

// VerifyDummy does the work of a Verify of password against a hash of the
// configured cost and discards the result. Call it when the user is unknown
// (or has no password hash), so that "no such user" takes as long as "wrong
// password" and the answer's timing does not reveal which usernames exist.
// The dummy hash is computed once, on first use.
func (b *Bcrypt) VerifyDummy(password string) {
	b.verifyDummy(password)
}

func (b *Bcrypt) verifyDummy(password string) bool {
	ok, _, err := b.Verify(b.dummyHash(), password)
	if err != nil {
		// The dummy could not be made (no randomness): spend the same work
		// another way.
		_, _ = b.generate(b.prehash(password), b.cost)
	}
	return ok
}

// PadWork spends, after a Verify of password against encoded (whatever its
// outcome), the work that brings that attempt up to at least the work of
// [Bcrypt.VerifyDummy]; see [WorkPadder]. For a bcrypt hash of cost c below
// the configured cost C it runs bcrypt once at each cost c, c+1 … C-1, whose
// 2^c + … + 2^(C-1) rounds are exactly the 2^C − 2^c missing; for a hash of
// cost C or more it does nothing; for a hash Verify did no bcrypt work on
// (empty, malformed, another scheme, above MaxCost) it runs VerifyDummy.
func (b *Bcrypt) PadWork(encoded, password string) {
	cost, ok := b.workedCost(encoded)
	if !ok {
		b.VerifyDummy(password)
		return
	}
	pw := b.prehash(password)
	for c := cost; c < b.cost; c++ {
		_, _ = b.generate(pw, c)
	}
}

// workedCost returns the cost of the bcrypt run a Verify against encoded
// does, and false when that Verify runs none.
func (b *Bcrypt) workedCost(encoded string) (int, bool) {
	var plain string
	switch schemeOf(encoded) {
	case schemeGHBcrypt:
		plain = "$" + strings.TrimPrefix(encoded, BcryptPrefix)
	case schemeLegacyBcrypt:
		plain = encoded
	default:
		return 0, false
	}
	cost, err := parseBcrypt(plain)
	if err != nil || cost > b.maxCost {
		return 0, false
	}
	return cost, true
}

// generate runs bcrypt.GenerateFromPassword, telling onWork.
func (b *Bcrypt) generate(pw []byte, cost int) ([]byte, error) {
	if b.onWork != nil {
		b.onWork(cost)
	}
	return bcrypt.GenerateFromPassword(pw, cost)
}

// compare runs bcrypt.CompareHashAndPassword on a hash of cost, telling
// onWork.
func (b *Bcrypt) compare(hash, pw []byte, cost int) error {
	if b.onWork != nil {
		b.onWork(cost)
	}
	return bcrypt.CompareHashAndPassword(hash, pw)
}

// RehashUnsafe reports whether password, which verified against encoded,
// must not replace encoded by a new hash of it. That is the case when
// encoded is a plain bcrypt hash ($2a$, $2b$, $2y$) and password is 72
// bytes or longer, or holds a NUL byte: plain bcrypt reads at most 72 bytes
// of a password (bytes after a NUL cycle the key as if the password ended
// there, and C implementations stop at the NUL), so other passwords — the
// owner's real one among them — verify against encoded as well, and a hash
// of this one would let only this one in. A password of exactly 72 bytes
// counts: the owner's may be that prefix followed by more.
//
// The hashers of this package never ask for such a rehash; callers that
// rehash on their own should check this first.
func RehashUnsafe(encoded, password string) bool {
	return schemeOf(encoded) == schemeLegacyBcrypt &&
		(len(password) >= legacyBcryptMaxBytes || strings.IndexByte(password, 0) >= 0)
}

// legacyBcryptMaxBytes is the most of a password plain bcrypt reads.
const legacyBcryptMaxBytes = 72

func (b *Bcrypt) dummyHash() string {
	b.dummyOnce.Do(func() {
		b.dummy, _ = b.Hash(dummyPassword)
	})
	return b.dummy
}

func (b *Bcrypt) verify(kind scheme, encoded, password string) (ok, needsRehash bool, err error) {
	var plain string
	if kind == schemeGHBcrypt {
		plain = "$" + strings.TrimPrefix(encoded, BcryptPrefix)
	} else {
		plain = encoded
	}
	cost, err := parseBcrypt(plain)
	if err != nil {
		return false, false, err
	}
	if cost > b.maxCost {
		return false, false, fmt.Errorf("%w: bcrypt cost %d above %d", ErrHashTooExpensive, cost, b.maxCost)
	}
	pw := []byte(password)
	if kind == schemeGHBcrypt {
		pw = b.prehash(password)
	}
	switch err := b.compare([]byte(plain), pw, cost); {
	case err == nil:
		if kind == schemeLegacyBcrypt {
			return true, !RehashUnsafe(encoded, password), nil
		}
		return true, cost != b.cost, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, false, nil
	default:
		return false, false, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
}

// prehash returns base64(HMAC-SHA-384(key=pepper, password)): 64 ASCII
// bytes, under bcrypt's 72-byte limit and free of NUL bytes.
func (b *Bcrypt) prehash(password string) []byte {
	m := hmac.New(sha512.New384, b.pepper)
	m.Write([]byte(password))
	sum := m.Sum(nil)
	out := make([]byte, base64.StdEncoding.EncodedLen(len(sum)))
	base64.StdEncoding.Encode(out, sum)
	return out
}

// parseBcrypt checks the shape of a modular-crypt bcrypt hash, stricter than
// x/crypto/bcrypt (which accepts any minor version letter): "$2a$", "$2b$"
// or "$2y$", two cost digits, "$", then 53 characters of bcrypt's base64
// (22 of salt, 31 of hash). It returns the cost.
func parseBcrypt(h string) (int, error) {
	const size = 60
	if len(h) != size || h[0] != '$' || h[1] != '2' || !strings.ContainsRune("aby", rune(h[2])) ||
		h[3] != '$' || h[6] != '$' || !isDigit(h[4]) || !isDigit(h[5]) {
		return 0, fmt.Errorf("%w: not a bcrypt hash", ErrMalformedHash)
	}
	for i := 7; i < size; i++ {
		c := h[i]
		if !(c == '.' || c == '/' || isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return 0, fmt.Errorf("%w: bad bcrypt character", ErrMalformedHash)
		}
	}
	cost := int(h[4]-'0')*10 + int(h[5]-'0')
	if cost < bcrypt.MinCost {
		return 0, fmt.Errorf("%w: bcrypt cost %d below %d", ErrMalformedHash, cost, bcrypt.MinCost)
	}
	return cost, nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

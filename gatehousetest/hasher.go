package gatehousetest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"

	"github.com/gatehouse-go/gatehouse/user"
)

// HashPrefix marks the hashes of [Hasher].
const HashPrefix = "$gatehousetest$"

// Hasher returns a password hasher for tests: one unsalted SHA-256, so that
// logins cost microseconds instead of bcrypt's tens of milliseconds. It is
// insecure by design: never use it outside tests. Hashes of other schemes
// (bcrypt from a data file) are refused with user.ErrUnknownScheme.
func Hasher() user.Hasher { return testHasher{} }

type testHasher struct{}

func (testHasher) Hash(password string) (string, error) {
	if password == "" {
		return "", user.ErrEmptyPassword
	}
	sum := sha256.Sum256([]byte(password))
	return HashPrefix + hex.EncodeToString(sum[:]), nil
}

func (h testHasher) Verify(encoded, password string) (ok, needsRehash bool, err error) {
	if encoded == "" {
		return false, false, user.ErrNoHash
	}
	if !strings.HasPrefix(encoded, HashPrefix) {
		return false, false, user.ErrUnknownScheme
	}
	want, _ := h.Hash(password)
	return subtle.ConstantTimeCompare([]byte(encoded), []byte(want)) == 1, false, nil
}

func (h testHasher) VerifyDummy(password string) { _, _ = h.Hash(password) }

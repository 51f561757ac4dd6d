package session

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// IDBytes is the number of random bytes in a session id: 256 bits.
const IDBytes = 32

// idLen is the length of a session id in unpadded base64url.
var idLen = base64.RawURLEncoding.EncodedLen(IDBytes)

// newID returns a fresh session id from crypto/rand and the hex SHA-256
// that stores keep. A failing random source is an error, never a fallback.
func newID() (id, hash string, err error) {
	var b [IDBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("session: random source: %w", err)
	}
	id = base64.RawURLEncoding.EncodeToString(b[:])
	return id, HashID(id), nil
}

// HashID returns the store key of a session id: the lower-case hex SHA-256
// of its text. It is also the "sid" claim of the session's tokens.
func HashID(id string) string {
	// Hashing a copy in a stack buffer and encoding into an array keeps
	// this to one allocation (the result) for ids of the usual length: it
	// runs for every cookie-authenticated request.
	var in [64]byte
	var sum [sha256.Size]byte
	if len(id) <= len(in) {
		sum = sha256.Sum256(in[:copy(in[:], id)])
	} else {
		sum = sha256.Sum256([]byte(id))
	}
	var out [2 * sha256.Size]byte
	hex.Encode(out[:], sum[:])
	return string(out[:])
}

// ValidID reports whether s has the form of a session id made by this
// package: exactly 43 characters of the unpadded base64url alphabet,
// canonically encoded. Anything else is refused before any store lookup.
func ValidID(s string) bool {
	if len(s) != idLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	// 32 bytes are 256 bits in 43 characters of 6 bits: the last
	// character's low 2 bits are padding and must be zero (canonical).
	last := s[len(s)-1]
	return base64Index(last)&3 == 0
}

// validHash reports whether s is 64 lower-case hex digits.
func validHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

func base64Index(c byte) byte {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A'
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26
	case '0' <= c && c <= '9':
		return c - '0' + 52
	case c == '-':
		return 62
	}
	return 63
}

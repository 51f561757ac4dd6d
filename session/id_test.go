package session_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gatehouse-go/gatehouse/session"
)

// TestHashID checks HashID against the hex SHA-256 of the id's text, on
// both sides of the length up to which it hashes from a stack buffer.
func TestHashID(t *testing.T) {
	for _, n := range []int{0, 1, 43, 63, 64, 65, 200} {
		id := strings.Repeat("a", n-min(n, 1)) + strings.Repeat("Z", min(n, 1))
		t.Run(id, func(t *testing.T) {
			sum := sha256.Sum256([]byte(id))
			assert.Equal(t, hex.EncodeToString(sum[:]), session.HashID(id))
		})
	}
	// A known vector: the SHA-256 of "abc".
	assert.Equal(t, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", session.HashID("abc"))
}

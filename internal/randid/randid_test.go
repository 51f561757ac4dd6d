package randid_test

import (
	"testing"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUUID(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id, err := randid.UUID()
		require.NoError(t, err)
		require.True(t, randid.IsUUID(id), id)
		assert.Equal(t, byte('4'), id[14], "version nibble")
		assert.Contains(t, "89ab", string(id[19]), "variant nibble")
		require.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
	}
}

func TestIsUUID(t *testing.T) {
	for s, want := range map[string]bool{
		"11111111-2222-3333-4444-555555555555":  true,
		"11111111-2222-3333-4444-55555555555":   false,
		"11111111-2222-3333-4444-5555555555555": false,
		"11111111x2222-3333-4444-555555555555":  false,
		"1111111G-2222-3333-4444-555555555555":  false,
		"AAAAAAAA-2222-3333-4444-555555555555":  false,
		"../../../../etc/passwd-xxxxxxxxxxxxxx": false,
		"":                                      false,
	} {
		assert.Equal(t, want, randid.IsUUID(s), s)
	}
}

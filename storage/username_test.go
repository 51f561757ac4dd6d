package storage_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
)

func TestFoldUsername(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"alice", "alice"},
		{"Alice", "alice"},
		{"ALICE_Liddell_2", "alice_liddell_2"},
		{"aZ09_@[`{", "az09_@[`{"},
		{"\u212Aate", "\u212Aate"}, // KELVIN SIGN is not an ASCII K
		{"ÄLICE", "Älice"},         // non-ASCII bytes are kept
		{"İ", "İ"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, storage.FoldUsername(tc.in))
		})
	}
	// On ASCII, the fold is strings.ToLower.
	var all strings.Builder
	for c := range 128 {
		all.WriteByte(byte(c))
	}
	require.Equal(t, strings.ToLower(all.String()), storage.FoldUsername(all.String()))
}

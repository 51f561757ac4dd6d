package storeflag

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOpen(t *testing.T) {
	for _, flag := range []string{"", "memory", "sqlite:" + filepath.Join(t.TempDir(), "gh.db")} {
		s, err := Open(t.Context(), flag, "", nil)
		require.NoError(t, err, flag)
		require.NoError(t, s.Ping(t.Context()), flag)
		require.NoError(t, s.Close())
	}
}

func TestOpenNamesTheFlag(t *testing.T) {
	_, err := Open(t.Context(), "mysql://x", "", nil)
	assert.ErrorContains(t, err, `-store "mysql://x"`)
	_, err = Open(t.Context(), "memory", "http://not-redis", nil)
	assert.ErrorContains(t, err, "-redis")
}

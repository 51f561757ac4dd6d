package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// serve runs the server until stop is called, and returns its base URL.
func serve(t *testing.T, args ...string) (base string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-bcrypt-cost", "10"}, args...), pw, io.Discard)
		pw.Close()
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, 0, code, "a clean shutdown exits 0")
		case <-time.After(15 * time.Second):
			t.Error("server did not stop")
		}
	}
	t.Cleanup(stop)
	line, err := bufio.NewReader(pr).ReadString('\n')
	require.NoError(t, err)
	m := regexp.MustCompile(`http://(\S+)`).FindStringSubmatch(line)
	require.NotNil(t, m, line)
	go io.Copy(io.Discard, pr)
	return "http://" + m[1], stop
}

// storedUsers reads every user of the SQLite file.
func storedUsers(t *testing.T, path string) []user.User {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), "sqlite:"+path, sqlstore.Config{})
	require.NoError(t, err)
	defer s.Close()
	us, err := s.Users().ListUsers(t.Context(), storage.UserQuery{Limit: 1000})
	require.NoError(t, err)
	return us
}

func TestSQLiteStoreSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gh.db")
	base, stop := serve(t, "-store", "sqlite:"+path)
	var health map[string]float64
	require.Equal(t, 200, getJSON(t, base+"/health", &health))
	assert.Equal(t, map[string]float64{"health": 1}, health)
	stop()

	first := storedUsers(t, path)
	require.NotEmpty(t, first, "the data file's users were not stored")

	// A second start applies the data file again: nothing is duplicated,
	// and the users it finds keep their password hash, version and
	// creation time.
	_, stop = serve(t, "-store", "sqlite:"+path)
	stop()
	second := storedUsers(t, path)
	require.Len(t, second, len(first), "a restart duplicated or lost users")
	for i := range first {
		assert.Equal(t, first[i].ID, second[i].ID)
		assert.Equal(t, first[i].PasswordHash, second[i].PasswordHash, "user %s was re-hashed", first[i].Username)
		assert.True(t, first[i].CreatedAt.Equal(second[i].CreatedAt), "user %s was re-created", first[i].Username)
		assert.Equal(t, first[i].SessionEpoch, second[i].SessionEpoch)
	}
}

func TestStoreFlagMistakesExitOne(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown store", []string{"-store", "mysql://x"}, "-store"},
		{"sqlite in a missing directory", []string{"-store", "sqlite:" + filepath.Join(dir, "no", "such", "dir", "gh.db")}, "-store"},
		{"bad redis url", []string{"-redis", "http://nope"}, "-redis"},
		{"unreachable redis", []string{"-redis", "redis://127.0.0.1:1/0"}, "-redis"},
		{"cache on sqlite (no change feed)", []string{"-store", "sqlite:" + filepath.Join(dir, "cache.db"), "-cache"}, "-cache"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			code := run(context.Background(), tc.args, io.Discard, &stderr)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr.String(), tc.want)
		})
	}
}

func TestSQLiteWithRedis(t *testing.T) {
	url := os.Getenv("GATEHOUSE_TEST_REDIS")
	if url == "" {
		if os.Getenv("GATEHOUSE_REQUIRE_INTEGRATION") == "1" {
			t.Fatal("GATEHOUSE_TEST_REDIS is not set, and GATEHOUSE_REQUIRE_INTEGRATION=1 forbids skipping")
		}
		t.Skip("set GATEHOUSE_TEST_REDIS=redis://127.0.0.1:6379/0 to run the Redis tests")
	}
	base, _ := serve(t, "-store", "sqlite:"+filepath.Join(t.TempDir(), "gh.db"), "-redis", url)
	var health map[string]float64
	require.Equal(t, 200, getJSON(t, base+"/health", &health))
	assert.Equal(t, map[string]float64{"health": 1}, health)
}

// -cache serves sessions from memory: the same cookie twice, then a
// logout refused at once.
func TestCacheFlag(t *testing.T) {
	base, _ := serve(t, "-cache")
	sid := loginCookie(t, base)
	for range 2 {
		require.Equal(t, http.StatusOK, send(t, http.MethodGet, base+"/session", "", "", sid).StatusCode)
	}
	tok := loginToken(t, base)
	require.Equal(t, http.StatusNoContent, send(t, http.MethodPost, base+"/logout", "", tok, "").StatusCode)
	assert.Equal(t, http.StatusUnauthorized, send(t, http.MethodGet, base+"/session", "", tok, "").StatusCode)
	assert.Equal(t, http.StatusOK, send(t, http.MethodGet, base+"/session", "", "", sid).StatusCode)
}

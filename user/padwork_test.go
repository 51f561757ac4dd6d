package user_test

import (
	"crypto/hmac"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse-go/gatehouse/user"
)

// workLog records the bcrypt runs of a hasher and sums their rounds.
type workLog struct {
	mu    sync.Mutex
	costs []int
}

func (w *workLog) add(cost int) {
	w.mu.Lock()
	w.costs = append(w.costs, cost)
	w.mu.Unlock()
}

// take returns the costs run since the last take and their rounds, 2^cost
// each.
func (w *workLog) take() (costs []int, rounds int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	costs, w.costs = w.costs, nil
	for _, c := range costs {
		rounds += 1 << c
	}
	return costs, rounds
}

func countingBcrypt(t *testing.T, cost int) (*user.Bcrypt, *workLog) {
	t.Helper()
	h := newBcrypt(t, user.BcryptConfig{Cost: cost})
	h.VerifyDummy("make the dummy hash before counting")
	w := &workLog{}
	h.OnWork(w.add)
	return h, w
}

func legacyHash(t *testing.T, password string, cost int) string {
	t.Helper()
	raw, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	require.NoError(t, err)
	return string(raw)
}

// ghHash makes one of our hashes (no pepper) at a cost NewBcrypt would
// refuse, by the recipe of the package documentation.
func ghHash(t *testing.T, password string, cost int) string {
	t.Helper()
	m := hmac.New(sha512.New384, nil)
	m.Write([]byte(password))
	raw, err := bcrypt.GenerateFromPassword([]byte(base64.StdEncoding.EncodeToString(m.Sum(nil))), cost)
	require.NoError(t, err)
	return user.BcryptPrefix + string(raw[1:])
}

// A failed check of a hash cheaper than the configured cost, padded, costs
// exactly the configured work: the rounds of a dummy verification.
func TestBcryptPadWorkTopsUpToConfiguredCost(t *testing.T) {
	h, w := countingBcrypt(t, testCost)
	h.VerifyDummy("wrong")
	costs, dummy := w.take()
	require.Equal(t, []int{testCost}, costs)

	for _, tc := range []struct {
		name, encoded string
		cost          int
	}{
		{"imported $2a$ cost 4", legacyHash(t, "right", bcrypt.MinCost), bcrypt.MinCost},
		{"imported $2y$ cost 9", "$2y$" + legacyHash(t, "right", 9)[4:], 9},
		{"our own hash at cost 6", ghHash(t, "right", 6), 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, pw := range []string{"wrong", "right"} { // "right": a blocked user
				ok, _, err := h.Verify(tc.encoded, pw)
				require.NoError(t, err)
				require.Equal(t, pw == "right", ok)
				h.PadWork(tc.encoded, pw)
				costs, rounds := w.take()
				assert.Equal(t, tc.cost, costs[0], "the verification itself")
				assert.Equal(t, dummy, rounds, "verification + padding = the configured work; ran %v", costs)
			}
		})
	}
}

func TestBcryptPadWorkNothingForConfiguredOrDearerCost(t *testing.T) {
	h, w := countingBcrypt(t, testCost)
	same, err := h.Hash("pw")
	require.NoError(t, err)
	w.take()
	raw := legacyHash(t, "pw", bcrypt.MinCost)
	// PadWork reads only the cost: the dearer hashes need not be genuine.
	for _, enc := range []string{same, "$2a$10" + raw[6:], "$2y$12" + raw[6:], user.BcryptPrefix + "2a$11" + raw[6:]} {
		h.PadWork(enc, "wrong")
		costs, _ := w.take()
		assert.Empty(t, costs, enc[:7])
	}
}

// A hash Verify refuses without hashing would answer at once: the padding
// is a whole dummy verification.
func TestBcryptPadWorkForUnusableHashes(t *testing.T) {
	h, w := countingBcrypt(t, 10)
	raw := legacyHash(t, "pw", bcrypt.MinCost)
	for name, enc := range map[string]string{
		"empty":          "",
		"malformed":      "$2a$10$short",
		"unknown scheme": "$1$abc$def",
		"above MaxCost":  "$2y$20" + raw[6:],
		"argon2id":       "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := h.Verify(enc, "pw")
			require.Error(t, err)
			h.PadWork(enc, "pw")
			costs, _ := w.take()
			assert.Equal(t, []int{10}, costs)
		})
	}
}

func TestMultiHasherPadWork(t *testing.T) {
	t.Run("bcrypt configured", func(t *testing.T) {
		m, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: 10}})
		require.NoError(t, err)
		m.VerifyDummy("prime the dummy hash")
		b, a := m.Parts()
		w := &workLog{}
		b.OnWork(w.add)
		var argonRuns int
		a.OnWork(func(uint32, uint32) { argonRuns++ })

		enc := legacyHash(t, "pw", bcrypt.MinCost)
		ok, _, err := m.Verify(enc, "wrong")
		require.NoError(t, err)
		require.False(t, ok)
		m.PadWork(enc, "wrong")
		_, rounds := w.take()
		assert.Equal(t, int64(1<<10), rounds)

		// Another scheme: a whole dummy of the configured one on top.
		ah, err := user.NewArgon2id(user.Argon2Config{Memory: 8192, Time: 5})
		require.NoError(t, err)
		aenc, err := ah.Hash("pw")
		require.NoError(t, err)
		m.PadWork(aenc, "wrong")
		costs, _ := w.take()
		assert.Equal(t, []int{10}, costs)
		assert.Zero(t, argonRuns)
	})
	t.Run("argon2id configured", func(t *testing.T) {
		cfg := user.Argon2Config{Memory: 8192, Time: 5}
		m, err := user.NewHasher(user.HasherConfig{Scheme: user.SchemeArgon2id, Argon2: cfg})
		require.NoError(t, err)
		m.VerifyDummy("prime the dummy hash")
		_, a := m.Parts()
		type run struct{ m, t uint32 }
		var runs []run
		a.OnWork(func(mem, tm uint32) { runs = append(runs, run{mem, tm}) })

		same, err := m.Hash("pw")
		require.NoError(t, err)
		runs = nil
		m.PadWork(same, "wrong")
		assert.Empty(t, runs, "configured parameters: nothing to add")

		weak, err := user.NewArgon2id(user.Argon2Config{Memory: 7 * 1024, Time: 5})
		require.NoError(t, err)
		wenc, err := weak.Hash("pw")
		require.NoError(t, err)
		runs = nil
		m.PadWork(wenc, "wrong")
		assert.Equal(t, []run{{8192, 5}}, runs, "weaker parameters: a dummy of the configured ones")

		runs = nil
		m.PadWork(legacyHash(t, "pw", bcrypt.MinCost), "wrong")
		assert.Equal(t, []run{{8192, 5}}, runs, "another scheme")
	})
}

// An imported plain bcrypt hash reads only 72 bytes of a password (and a
// NUL byte ends it): a password that verifies but may not be the owner's
// must never replace the hash.
func TestLegacyBcryptNeverRehashedFromAmbiguousPassword(t *testing.T) {
	prefix := strings.Repeat("a", 72)
	bh := newBcrypt(t, user.BcryptConfig{})
	mb, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: testCost}})
	require.NoError(t, err)
	ma, err := user.NewHasher(user.HasherConfig{Scheme: user.SchemeArgon2id, Argon2: user.Argon2Config{Memory: 8192, Time: 5}})
	require.NoError(t, err)
	long := legacyHash(t, prefix, bcrypt.MinCost) // what the old system stored for prefix+"owner's tail"
	short := legacyHash(t, "ab", bcrypt.MinCost)
	short71 := legacyHash(t, prefix[:71], bcrypt.MinCost)
	cases := []struct {
		name, encoded, password string
		rehash                  bool
	}{
		{"attacker's longer variant", long, prefix + "attacker", false},
		{"owner's long password", long, prefix + "owner's tail", false},
		{"exactly 72 bytes", long, prefix, false},
		{"NUL continues the password", short, "ab\x00ab", false},
		{"71 bytes is exact", short71, prefix[:71], true},
		{"short password is exact", short, "ab", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, !tc.rehash, user.RehashUnsafe(tc.encoded, tc.password))
			for name, h := range map[string]user.Hasher{"Bcrypt": bh, "MultiHasher bcrypt": mb, "MultiHasher argon2id": ma} {
				ok, rehash, err := h.Verify(tc.encoded, tc.password)
				require.NoError(t, err, name)
				assert.True(t, ok, "%s: verifies as in the system that made it", name)
				assert.Equal(t, tc.rehash, rehash, name)
			}
		})
	}
	ours, err := bh.Hash(prefix + "x")
	require.NoError(t, err)
	assert.False(t, user.RehashUnsafe(ours, prefix+"x"), "our hashes read every byte")
}

package user_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/user"
)

func newHasher(t *testing.T, scheme user.Scheme) *user.MultiHasher {
	t.Helper()
	h, err := user.NewHasher(user.HasherConfig{
		Scheme: scheme,
		Bcrypt: user.BcryptConfig{Cost: testCost, Pepper: []byte("pepper")},
	})
	require.NoError(t, err)
	return h
}

func TestNewHasherConfig(t *testing.T) {
	_, err := user.NewHasher(user.HasherConfig{})
	require.NoError(t, err)
	for name, cfg := range map[string]user.HasherConfig{
		"unknown scheme":   {Scheme: "md5"},
		"weak bcrypt":      {Bcrypt: user.BcryptConfig{Cost: 9}},
		"weak argon2":      {Argon2: user.Argon2Config{Memory: 1024, Time: 1}},
		"weak unused one":  {Scheme: user.SchemeArgon2id, Bcrypt: user.BcryptConfig{Cost: 4}},
		"negative bcrypt":  {Bcrypt: user.BcryptConfig{Cost: -10}},
		"MaxCost too high": {Bcrypt: user.BcryptConfig{MaxCost: 40}},
	} {
		t.Run(name, func(t *testing.T) {
			h, err := user.NewHasher(cfg)
			require.ErrorIs(t, err, user.ErrConfig)
			assert.Nil(t, h)
		})
	}
}

// TestHasherSwitchScheme: hashes of the old scheme still verify after a
// switch, and ask for a rehash into the new one.
func TestHasherSwitchScheme(t *testing.T) {
	bh := newHasher(t, user.SchemeBcrypt)
	ah := newHasher(t, user.SchemeArgon2id)

	bEnc, err := bh.Hash("pw")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(bEnc, user.BcryptPrefix))
	aEnc, err := ah.Hash("pw")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(aEnc, "$argon2id$"))

	cases := []struct {
		name       string
		h          *user.MultiHasher
		enc        string
		wantRehash bool
	}{
		{"bcrypt under bcrypt", bh, bEnc, false},
		{"argon2id under bcrypt", bh, aEnc, true},
		{"argon2id under argon2id", ah, aEnc, false},
		{"bcrypt under argon2id", ah, bEnc, true},
		{"$2y$ under bcrypt", bh, legacyVectors[0].hash, true},
		{"$2y$ under argon2id", ah, legacyVectors[0].hash, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pw := "pw"
			if strings.HasPrefix(tc.enc, "$2y$") {
				pw = legacyVectors[0].password
			}
			ok, rehash, err := tc.h.Verify(tc.enc, pw)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, tc.wantRehash, rehash)

			ok, rehash, err = tc.h.Verify(tc.enc, "wrong")
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash)
		})
	}
}

func TestHasherErrors(t *testing.T) {
	h := newHasher(t, user.SchemeBcrypt)
	cases := []struct {
		name    string
		encoded string
		target  error
	}{
		{"empty", "", user.ErrNoHash},
		{"unknown", "{SSHA}abcdef", user.ErrUnknownScheme},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA", user.ErrUnknownScheme},
		{"malformed bcrypt", user.BcryptPrefix + "2a$10$short", user.ErrMalformedHash},
		{"malformed argon2id", "$argon2id$v=19$m=1$x$y", user.ErrMalformedHash},
		{"expensive bcrypt", "$2b$31$" + strings.Repeat("a", 53), user.ErrHashTooExpensive},
		{"expensive argon2id", "$argon2id$v=19$m=4194304,t=1,p=1$" + b64("0123456789abcdef") + "$" + b64("0123456789abcdef"), user.ErrHashTooExpensive},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(tc.encoded, "pw")
			require.ErrorIs(t, err, tc.target)
			assert.False(t, ok)
			assert.False(t, rehash)
		})
	}
}

func TestHasherDummyUsesConfiguredScheme(t *testing.T) {
	// VerifyDummy must not panic nor fail for either scheme, also when called
	// concurrently the first time (the dummy is made once).
	for _, s := range []user.Scheme{user.SchemeBcrypt, user.SchemeArgon2id} {
		t.Run(string(s), func(t *testing.T) {
			h := newHasher(t, s)
			var wg sync.WaitGroup
			for range 2 {
				wg.Go(func() { h.VerifyDummy("whatever") })
			}
			wg.Wait()
		})
	}
}

func TestHasherConcurrentUse(t *testing.T) {
	h := newHasher(t, user.SchemeArgon2id)
	enc, err := h.Hash("pw")
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			ok, _, err := h.Verify(enc, "pw")
			assert.NoError(t, err)
			assert.True(t, ok)
		})
	}
	wg.Wait()
}

func TestCheckHash(t *testing.T) {
	h := newHasher(t, user.SchemeBcrypt)
	ours, err := h.Hash("pw")
	require.NoError(t, err)
	a := newHasher(t, user.SchemeArgon2id)
	argon, err := a.Hash("pw")
	require.NoError(t, err)

	cases := []struct {
		name    string
		encoded string
		target  error // nil means well-formed
	}{
		{"ours", ours, nil},
		{"argon2id", argon, nil},
		{"$2y$ vector", legacyVectors[0].hash, nil},
		{"$2a$ vector", legacyVectors[1].hash, nil},
		{"$2b$ vector", legacyVectors[3].hash, nil},
		{"above the limits still well-formed", "$2b$31$" + strings.Repeat("a", 53), nil},
		{"empty", "", user.ErrNoHash},
		{"plaintext", "hunter2", user.ErrUnknownScheme},
		{"$2x$", "$2x$" + legacyVectors[0].hash[4:], user.ErrUnknownScheme},
		{"truncated ours", ours[:len(ours)-2], user.ErrMalformedHash},
		{"truncated plain", legacyVectors[0].hash[:40], user.ErrMalformedHash},
		{"bad argon2id", "$argon2id$v=19$m=1,t=1$x$y", user.ErrMalformedHash},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := user.CheckHash(tc.encoded)
			if tc.target == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.target)
		})
	}
}

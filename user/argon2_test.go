package user_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"

	"github.com/gatehouse-go/gatehouse/user"
)

func newArgon2(t *testing.T, cfg user.Argon2Config) *user.Argon2id {
	t.Helper()
	h, err := user.NewArgon2id(cfg)
	require.NoError(t, err)
	return h
}

func TestNewArgon2idConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  user.Argon2Config
		ok   bool
	}{
		{"zero value", user.Argon2Config{}, true},
		{"OWASP 46 MiB, t=1", user.Argon2Config{Memory: 47104, Time: 1}, true},
		{"OWASP 7 MiB, t=5", user.Argon2Config{Memory: 7168, Time: 5}, true},
		{"7 MiB, t=4 is too weak", user.Argon2Config{Memory: 7168, Time: 4}, false},
		{"6 MiB is too little memory", user.Argon2Config{Memory: 6 * 1024, Time: 10}, false},
		{"19 MiB, t=1 is too weak", user.Argon2Config{Memory: 19456, Time: 1}, false},
		{"short salt", user.Argon2Config{SaltLen: 8}, false},
		{"short key", user.Argon2Config{KeyLen: 8}, false},
		{"long key", user.Argon2Config{KeyLen: 65}, false},
		{"MaxMemory below Memory", user.Argon2Config{Memory: 65536, MaxMemory: 32768}, false},
		{"MaxTime below Time", user.Argon2Config{Time: 3, MaxTime: 2}, false},
		{"MaxThreads below Threads", user.Argon2Config{Threads: 4, MaxThreads: 2}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := user.NewArgon2id(tc.cfg)
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, user.ErrConfig)
			assert.Nil(t, h)
		})
	}
}

func TestArgon2idRoundTrip(t *testing.T) {
	h := newArgon2(t, user.Argon2Config{})
	for _, pw := range []string{"x", strings.Repeat("a", 1000), strings.Repeat("ж", 1000)} {
		enc, err := h.Hash(pw)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$"), enc)

		ok, rehash, err := h.Verify(enc, pw)
		require.NoError(t, err)
		assert.True(t, ok)
		assert.False(t, rehash)

		ok, _, err = h.Verify(enc, pw+"!")
		require.NoError(t, err)
		assert.False(t, ok)
	}
	_, err := h.Hash("")
	require.ErrorIs(t, err, user.ErrEmptyPassword)
}

// TestArgon2idPHCInterop checks the encoding against an independent
// computation with x/crypto/argon2 and the PHC layout.
func TestArgon2idPHCInterop(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("interop"), salt, 3, 8*1024, 1, 32)
	b64 := base64.RawStdEncoding
	enc := "$argon2id$v=19$m=8192,t=3,p=1$" + b64.EncodeToString(salt) + "$" + b64.EncodeToString(key)

	h := newArgon2(t, user.Argon2Config{})
	ok, rehash, err := h.Verify(enc, "interop")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, rehash, "weaker parameters than configured")

	ok, _, err = h.Verify(enc, "Interop")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestArgon2idNeedsRehashOnParamChange(t *testing.T) {
	base := user.Argon2Config{Memory: 7168, Time: 5}
	h := newArgon2(t, base)
	enc, err := h.Hash("pw")
	require.NoError(t, err)

	cases := []struct {
		name string
		cfg  user.Argon2Config
	}{
		{"memory", user.Argon2Config{Memory: 8192, Time: 5}},
		{"time", user.Argon2Config{Memory: 7168, Time: 6}},
		{"threads", user.Argon2Config{Memory: 7168, Time: 5, Threads: 2}},
		{"key length", user.Argon2Config{Memory: 7168, Time: 5, KeyLen: 64}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := newArgon2(t, tc.cfg).Verify(enc, "pw")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.True(t, rehash)
		})
	}
	ok, rehash, err := newArgon2(t, base).Verify(enc, "pw")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, rehash, "same parameters")
}

func TestArgon2idTooExpensive(t *testing.T) {
	h := newArgon2(t, user.Argon2Config{})
	salt := b64("0123456789abcdef")
	hash := b64("0123456789abcdef0123456789abcdef")
	for _, params := range []string{
		"m=4194304,t=2,p=1", // 4 GiB
		"m=65537,t=2,p=1",   // just above the default 64 MiB limit
		"m=19456,t=11,p=1",  // above 10 passes
		"m=19456,t=2,p=5",   // above 4 lanes
		"m=19456,t=2,p=255", // above 4 lanes
		"m=19456,t=2,p=256", // beyond uint8
		"m=19456,t=4294967295,p=1",
	} {
		t.Run(params, func(t *testing.T) {
			ok, rehash, err := h.Verify("$argon2id$v=19$"+params+"$"+salt+"$"+hash, "pw")
			require.ErrorIs(t, err, user.ErrHashTooExpensive)
			assert.False(t, ok)
			assert.False(t, rehash)
		})
	}
}

func b64(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }

func TestArgon2idMalformed(t *testing.T) {
	h := newArgon2(t, user.Argon2Config{})
	salt := b64("0123456789abcdef")
	hash := b64("0123456789abcdef0123456789abcdef")
	ok := "m=19456,t=2,p=1"
	cases := []struct {
		name    string
		encoded string
		target  error
	}{
		{"empty", "", user.ErrNoHash},
		{"prefix only", "$argon2id$", user.ErrMalformedHash},
		{"missing hash", "$argon2id$v=19$" + ok + "$" + salt, user.ErrMalformedHash},
		{"extra field", "$argon2id$v=19$" + ok + "$" + salt + "$" + hash + "$", user.ErrMalformedHash},
		{"version 16", "$argon2id$v=16$" + ok + "$" + salt + "$" + hash, user.ErrMalformedHash},
		{"no version", "$argon2id$" + ok + "$" + salt + "$" + hash, user.ErrMalformedHash},
		{"params out of order", "$argon2id$v=19$t=2,m=19456,p=1$" + salt + "$" + hash, user.ErrMalformedHash},
		{"missing param", "$argon2id$v=19$m=19456,t=2$" + salt + "$" + hash, user.ErrMalformedHash},
		{"zero time", "$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + hash, user.ErrMalformedHash},
		{"zero threads", "$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + hash, user.ErrMalformedHash},
		{"leading zero", "$argon2id$v=19$m=019456,t=2,p=1$" + salt + "$" + hash, user.ErrMalformedHash},
		{"signed", "$argon2id$v=19$m=+19456,t=2,p=1$" + salt + "$" + hash, user.ErrMalformedHash},
		{"memory overflow", "$argon2id$v=19$m=99999999999,t=2,p=1$" + salt + "$" + hash, user.ErrMalformedHash},
		{"memory below 8 KiB per lane", "$argon2id$v=19$m=15,t=2,p=2$" + salt + "$" + hash, user.ErrMalformedHash},
		{"padded salt", "$argon2id$v=19$" + ok + "$" + salt + "==$" + hash, user.ErrMalformedHash},
		{"bad base64", "$argon2id$v=19$" + ok + "$" + salt + "$!!!!", user.ErrMalformedHash},
		{"short salt", "$argon2id$v=19$" + ok + "$" + b64("1234567") + "$" + hash, user.ErrMalformedHash},
		{"short hash", "$argon2id$v=19$" + ok + "$" + salt + "$" + b64("123456789012345"), user.ErrMalformedHash},
		{"huge hash", "$argon2id$v=19$" + ok + "$" + salt + "$" + b64(strings.Repeat("h", 65)), user.ErrMalformedHash},
		{"argon2i", "$argon2i$v=19$" + ok + "$" + salt + "$" + hash, user.ErrUnknownScheme},
		{"bcrypt to an argon2 hasher", legacyVectors[0].hash, user.ErrUnknownScheme},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var ok, rehash bool
			var err error
			require.NotPanics(t, func() { ok, rehash, err = h.Verify(tc.encoded, "pw") })
			require.ErrorIs(t, err, tc.target)
			assert.False(t, ok)
			assert.False(t, rehash)
		})
	}
}

func TestArgon2idDummy(t *testing.T) {
	h := newArgon2(t, user.Argon2Config{Memory: 8192, Time: 5})
	dummy := h.DummyHash()
	assert.True(t, strings.HasPrefix(dummy, "$argon2id$v=19$m=8192,t=5,p=1$"), dummy)
	assert.Equal(t, dummy, h.DummyHash(), "computed once")
	assert.True(t, h.VerifyDummyOK(user.DummyPassword))
	assert.False(t, h.VerifyDummyOK("any password"))
	require.NotPanics(t, func() { h.VerifyDummy("any password") })
}

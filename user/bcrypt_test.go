package user_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/gatehouse-go/gatehouse/user"
)

// testCost is the cheapest cost NewBcrypt allows, to keep the tests fast.
const testCost = 10

func newBcrypt(t *testing.T, cfg user.BcryptConfig) *user.Bcrypt {
	t.Helper()
	if cfg.Cost == 0 {
		cfg.Cost = testCost
	}
	h, err := user.NewBcrypt(cfg)
	require.NoError(t, err)
	return h
}

// plainBcrypt returns the bcrypt hash inside one of ours.
func plainBcrypt(t *testing.T, encoded string) string {
	t.Helper()
	require.True(t, strings.HasPrefix(encoded, user.BcryptPrefix), encoded)
	return "$" + strings.TrimPrefix(encoded, user.BcryptPrefix)
}

func TestNewBcryptConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  user.BcryptConfig
		ok   bool
	}{
		{"zero value", user.BcryptConfig{}, true},
		{"cost 10", user.BcryptConfig{Cost: 10}, true},
		{"cost 9", user.BcryptConfig{Cost: 9}, false},
		{"cost 4", user.BcryptConfig{Cost: bcrypt.MinCost}, false},
		{"negative cost", user.BcryptConfig{Cost: -1}, false},
		{"cost 32", user.BcryptConfig{Cost: 32}, false},
		{"cost 20 raises the default MaxCost", user.BcryptConfig{Cost: 20}, true},
		{"MaxCost below Cost", user.BcryptConfig{Cost: 12, MaxCost: 11}, false},
		{"MaxCost 32", user.BcryptConfig{MaxCost: 32}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := user.NewBcrypt(tc.cfg)
			if tc.ok {
				require.NoError(t, err)
				require.NotNil(t, h)
				return
			}
			require.ErrorIs(t, err, user.ErrConfig)
			assert.Nil(t, h)
		})
	}
}

func TestBcryptDefaultCost(t *testing.T) {
	// One hash at cost 12 (~0.25 s) proves the default.
	h, err := user.NewBcrypt(user.BcryptConfig{})
	require.NoError(t, err)
	enc, err := h.Hash("pw")
	require.NoError(t, err)
	cost, err := bcrypt.Cost([]byte(plainBcrypt(t, enc)))
	require.NoError(t, err)
	assert.Equal(t, user.DefaultBcryptCost, cost)
}

func TestBcryptRoundTrip(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	cases := []struct {
		name string
		pw   string
	}{
		{"short", "x"},
		{"1000 ASCII characters", strings.Repeat("a", 999) + "z"},
		{"1000 multi-byte runes", strings.Repeat("ж", 500) + strings.Repeat("🔑", 500)},
		{"NUL bytes", "a\x00b"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			enc, err := h.Hash(tc.pw)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(enc, user.BcryptPrefix+"2a$10$"), enc)
			if len(tc.pw) > 3 {
				assert.NotContains(t, enc, tc.pw)
			}

			ok, rehash, err := h.Verify(enc, tc.pw)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.False(t, rehash)

			ok, _, err = h.Verify(enc, tc.pw+"!")
			require.NoError(t, err)
			assert.False(t, ok, "a longer password must not verify")

			ok, _, err = h.Verify(enc, tc.pw[:len(tc.pw)-1])
			require.NoError(t, err)
			assert.False(t, ok, "a shorter password must not verify")
		})
	}
}

func TestBcryptSaltsEachHash(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	a, err := h.Hash("same")
	require.NoError(t, err)
	b, err := h.Hash("same")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
}

func TestBcryptWrongPassword(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	enc, err := h.Hash("correct horse battery staple")
	require.NoError(t, err)
	for _, pw := range []string{"", "Correct horse battery staple", "correct horse battery staple ", "wrong"} {
		ok, rehash, err := h.Verify(enc, pw)
		require.NoError(t, err, "a wrong password is not an error")
		assert.False(t, ok, "%q", pw)
		assert.False(t, rehash)
	}
}

// TestBcrypt72BytePrefix: plain bcrypt reads only 72 bytes; ours must count
// every byte, so two passwords sharing their first 72 bytes never verify for
// each other.
func TestBcrypt72BytePrefix(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	prefix := strings.Repeat("a", 72)
	for _, suffix := range []string{"", "b", "anything at all"} {
		enc, err := h.Hash(prefix + "X")
		require.NoError(t, err)
		ok, _, err := h.Verify(enc, prefix+suffix)
		require.NoError(t, err)
		assert.False(t, ok, "suffix %q", suffix)
	}
	// Same with multi-byte characters: 36 runes of 2 bytes make 72 bytes.
	mb := strings.Repeat("ж", 36)
	enc, err := h.Hash(mb + "1")
	require.NoError(t, err)
	ok, _, err := h.Verify(enc, mb+"2")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestBcryptPepper(t *testing.T) {
	h1 := newBcrypt(t, user.BcryptConfig{Pepper: []byte("pepper one, from the config")})
	h2 := newBcrypt(t, user.BcryptConfig{Pepper: []byte("pepper two, from the config")})
	none := newBcrypt(t, user.BcryptConfig{})

	enc, err := h1.Hash("secret")
	require.NoError(t, err)
	ok, _, err := h1.Verify(enc, "secret")
	require.NoError(t, err)
	assert.True(t, ok)

	for name, other := range map[string]*user.Bcrypt{"other pepper": h2, "no pepper": none} {
		ok, _, err := other.Verify(enc, "secret")
		require.NoError(t, err)
		assert.False(t, ok, name)
	}

	// The pre-hash is keyed: the bcrypt inside does not accept the password,
	// nor its unkeyed pre-hash.
	ok, _, err = none.Verify(plainBcrypt(t, enc), "secret")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestBcryptPepperIsCopied(t *testing.T) {
	pepper := []byte("pepper")
	h := newBcrypt(t, user.BcryptConfig{Pepper: pepper})
	enc, err := h.Hash("secret")
	require.NoError(t, err)
	pepper[0] = 'X'
	ok, _, err := h.Verify(enc, "secret")
	require.NoError(t, err)
	assert.True(t, ok, "changing the caller's slice must not change the hasher")
}

func TestBcryptNeedsRehashOnCostChange(t *testing.T) {
	h10 := newBcrypt(t, user.BcryptConfig{Cost: 10})
	h11 := newBcrypt(t, user.BcryptConfig{Cost: 11})
	enc, err := h10.Hash("pw")
	require.NoError(t, err)

	ok, rehash, err := h11.Verify(enc, "pw")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, rehash, "cost 10 hash under a cost 11 hasher")

	ok, rehash, err = h11.Verify(enc, "wrong")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.False(t, rehash, "needsRehash only for a verified password")
}

// Published bcrypt test vectors: the PHP manual's password_verify example
// and Openwall crypt_blowfish's wrapper.c vectors (cost 5 and 7).
var legacyVectors = []struct {
	name, hash, password string
}{
	{"PHP manual $2y$", "$2y$07$BCryptRequires22Chrcte/VlQH0piJtjXl.0t1XkA8pw9dMXTpOq", "rasmuslerdorf"},
	{"Openwall $2a$", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
	{"Openwall $2y$ 8-bit", "$2y$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", "\xa3"},
	{"Openwall $2b$ 8-bit", "$2b$05$/OK.fbVrR/bpIqNJ5ianF.Sa7shbm4.OzKpvFnX1pQLmQW96oUlCq", "\xa3"},
	{"Openwall $2a$ over 72 bytes", "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui",
		"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored"},
}

func TestBcryptLegacyVectors(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{Pepper: []byte("a pepper does not apply to plain bcrypt")})
	for _, v := range legacyVectors {
		t.Run(v.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(v.hash, v.password)
			require.NoError(t, err)
			assert.True(t, ok)
			assert.Equal(t, len(v.password) < 72, rehash,
				"a plain bcrypt hash must be replaced by ours, unless the password is 72 bytes or longer")

			ok, rehash, err = h.Verify(v.hash, "?"+v.password)
			require.NoError(t, err)
			assert.False(t, ok)
			assert.False(t, rehash)

			ok, rehash, err = h.Verify(v.hash, v.password+"?")
			require.NoError(t, err)
			if len(v.password) >= 72 {
				assert.True(t, ok, "plain bcrypt compares the first 72 bytes, as the system that made it did")
			} else {
				assert.False(t, ok)
				assert.False(t, rehash)
			}
		})
	}
}

func TestBcryptLegacyGenerated(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	raw, err := bcrypt.GenerateFromPassword([]byte("legacy pw"), bcrypt.MinCost)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(raw), "$2a$"))
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		t.Run(prefix, func(t *testing.T) {
			enc := prefix + string(raw[4:])
			ok, rehash, err := h.Verify(enc, "legacy pw")
			require.NoError(t, err)
			assert.True(t, ok)
			assert.True(t, rehash)

			ok, _, err = h.Verify(enc, "legacy pW")
			require.NoError(t, err)
			assert.False(t, ok)
		})
	}
	// A plain hash made at the configured cost still needs a rehash: it is
	// not our scheme.
	raw10, err := bcrypt.GenerateFromPassword([]byte("legacy pw"), testCost)
	require.NoError(t, err)
	ok, rehash, err := h.Verify(string(raw10), "legacy pw")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.True(t, rehash)
}

func TestBcryptAbsurdCostRefusedWithoutHashing(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	// A genuine cost-31 hash would take days to check; this one is made by
	// changing the cost digits, so only refusing before hashing lets the
	// test finish.
	raw, err := bcrypt.GenerateFromPassword([]byte("pw"), bcrypt.MinCost)
	require.NoError(t, err)
	for _, cost := range []string{"17", "20", "31", "99"} {
		for _, enc := range []string{
			"$2y$" + cost + string(raw[6:]),
			user.BcryptPrefix + "2a$" + cost + string(raw[6:]),
		} {
			t.Run(enc[:min(len(enc), 24)], func(t *testing.T) {
				ok, rehash, err := h.Verify(enc, "pw")
				require.ErrorIs(t, err, user.ErrHashTooExpensive)
				assert.False(t, ok)
				assert.False(t, rehash)
			})
		}
	}

	// MaxCost is configurable: 16 is the default limit, 17 accepted above.
	high := newBcrypt(t, user.BcryptConfig{MaxCost: 17})
	_, _, err = high.Verify("$2y$18"+string(raw[6:]), "pw")
	require.ErrorIs(t, err, user.ErrHashTooExpensive)
}

func TestBcryptMalformed(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	good, err := h.Hash("pw")
	require.NoError(t, err)
	plain := plainBcrypt(t, good)

	cases := []struct {
		name    string
		encoded string
		target  error
	}{
		{"empty", "", user.ErrNoHash},
		{"our prefix only", user.BcryptPrefix, user.ErrMalformedHash},
		{"truncated", good[:len(good)-1], user.ErrMalformedHash},
		{"one char longer", good + "A", user.ErrMalformedHash},
		{"bad character", good[:len(good)-1] + "!", user.ErrMalformedHash},
		{"our prefix with $", user.BcryptPrefix + plain, user.ErrMalformedHash},
		{"plain truncated", plain[:30], user.ErrMalformedHash},
		{"cost below 4", "$2a$03" + plain[6:], user.ErrMalformedHash},
		{"non-digit cost", "$2a$1x" + plain[6:], user.ErrMalformedHash},
		{"signed cost", "$2a$+9" + plain[6:], user.ErrMalformedHash},
		{"$2x$ (buggy crypt_blowfish)", "$2x$" + plain[4:], user.ErrUnknownScheme},
		{"$2$", "$2$" + plain[4:], user.ErrUnknownScheme},
		{"$2c$", "$2c$" + plain[4:], user.ErrUnknownScheme},
		{"MD5 crypt", "$1$rasmusle$rISCgZzpwk3UhDidwXvin0", user.ErrUnknownScheme},
		{"plaintext", "hunter2", user.ErrUnknownScheme},
		{"argon2id to a bcrypt hasher", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", user.ErrUnknownScheme},
		{"huge", strings.Repeat("$", 1<<20), user.ErrUnknownScheme},
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

func TestBcryptEmptyPasswordNotHashed(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{})
	_, err := h.Hash("")
	require.ErrorIs(t, err, user.ErrEmptyPassword)
}

func TestBcryptDummy(t *testing.T) {
	h := newBcrypt(t, user.BcryptConfig{Cost: 11})
	dummy := h.DummyHash()
	require.NotEmpty(t, dummy)
	assert.Equal(t, dummy, h.DummyHash(), "computed once")

	cost, err := bcrypt.Cost([]byte(plainBcrypt(t, dummy)))
	require.NoError(t, err)
	assert.Equal(t, 11, cost, "the dummy hash has the configured cost")

	// VerifyDummy runs a real verification: it accepts the dummy's own
	// password and nothing else.
	assert.True(t, h.VerifyDummyOK(user.DummyPassword))
	assert.False(t, h.VerifyDummyOK("any password"))
	require.NotPanics(t, func() { h.VerifyDummy("any password") })
}

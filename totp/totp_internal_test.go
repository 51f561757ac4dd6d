package totp

import (
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"testing"
	"time"
)

// TestRFC6238Vectors checks the test vectors of RFC 6238 Appendix B (eight
// digits, the three hashes, their seeds), through the same HOTP that Code
// uses.
func TestRFC6238Vectors(t *testing.T) {
	seed := map[string][]byte{
		"SHA1":   []byte("12345678901234567890"),
		"SHA256": []byte("12345678901234567890123456789012"),
		"SHA512": []byte("1234567890123456789012345678901234567890123456789012345678901234"),
	}
	hashes := map[string]func() hash.Hash{"SHA1": sha1New, "SHA256": sha256.New, "SHA512": sha512.New}
	vectors := []struct {
		unix int64
		code map[string]string
	}{
		{59, map[string]string{"SHA1": "94287082", "SHA256": "46119246", "SHA512": "90693936"}},
		{1111111109, map[string]string{"SHA1": "07081804", "SHA256": "68084774", "SHA512": "25091201"}},
		{1111111111, map[string]string{"SHA1": "14050471", "SHA256": "67062674", "SHA512": "99943326"}},
		{1234567890, map[string]string{"SHA1": "89005924", "SHA256": "91819424", "SHA512": "93441116"}},
		{2000000000, map[string]string{"SHA1": "69279037", "SHA256": "90698825", "SHA512": "38618901"}},
		{20000000000, map[string]string{"SHA1": "65353130", "SHA256": "77737706", "SHA512": "47863826"}},
	}
	for _, v := range vectors {
		for name, want := range v.code {
			step := Step(time.Unix(v.unix, 0))
			if got := hotp(hashes[name], seed[name], uint64(step), 8); got != want {
				t.Errorf("%s at %d: got %s, want %s", name, v.unix, got, want)
			}
		}
		// Code is the last six digits of the SHA-1 vector.
		if got, want := Code(seed["SHA1"], Step(time.Unix(v.unix, 0))), v.code["SHA1"][2:]; got != want {
			t.Errorf("Code at %d: got %s, want %s", v.unix, got, want)
		}
	}
}

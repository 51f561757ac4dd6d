// Package totp computes and checks time-based one-time passwords (RFC 6238)
// as every authenticator app reads them: HMAC-SHA-1, 6 digits, 30-second
// steps, a 160-bit secret written in base32 without padding, and an
// otpauth:// URI to enrol it (the format of Google Authenticator's key URI,
// which FreeOTP, Aegis, 1Password and oathtool also read).
//
// It is the few lines of RFC 4226 and RFC 6238 over crypto/hmac, with no
// dependency; its tests check the RFC 6238 Appendix B vectors and interoperate
// with Debian's oathtool.
//
// The package knows nothing of replay: [Match] says which time step a code
// belongs to, and the caller (package session) accepts each step once.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"
)

const (
	// Digits is the length of a code.
	Digits = 6
	// Period is the length of a time step.
	Period = 30 * time.Second
	// SecretSize is the size of a secret made by [NewSecret], in bytes (160 bits,
	// the size RFC 4226 recommends and HMAC-SHA-1's output).
	SecretSize = 20
)

// ErrSecret is returned for a secret that is not base32 or is shorter than
// 128 bits.
var ErrSecret = errors.New("totp: invalid secret")

// encoding is base32 (RFC 4648) without padding, as key URIs write it.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a new random secret of [SecretSize] bytes from
// crypto/rand, base32-encoded without padding (32 characters). A failing
// random source is an error, never a weaker secret.
func NewSecret() (string, error) {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("totp: random: %w", err)
	}
	return encoding.EncodeToString(b), nil
}

// DecodeSecret decodes a base32 secret (case and padding ignored, as apps
// accept it); it must hold at least 16 bytes.
func DecodeSecret(secret string) ([]byte, error) {
	s := strings.TrimRight(strings.ToUpper(secret), "=")
	b, err := encoding.DecodeString(s)
	if err != nil || len(b) < 16 {
		return nil, ErrSecret
	}
	return b, nil
}

// Step returns the time step of t: whole periods since the Unix epoch.
func Step(t time.Time) int64 {
	return t.Unix() / int64(Period/time.Second)
}

// Code returns the code of key for time step step (RFC 4226 HOTP with the
// step as counter, SHA-1, [Digits] digits).
func Code(key []byte, step int64) string {
	return hotp(sha1New, key, uint64(step), Digits)
}

// sha1New is SHA-1's constructor, the one hash apps agree on.
var sha1New = sha1.New

// hotp is RFC 4226's HOTP over the hash h, with n digits.
func hotp(h func() hash.Hash, key []byte, counter uint64, n int) string {
	mac := hmac.New(h, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range n {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", n, v%mod)
}

// Match reports whether code is key's code for the step of now or one of
// the skew steps either side of it, and returns the step it matched (the
// one the caller must not accept again). Every candidate is compared in
// constant time. A code that is not exactly [Digits] ASCII digits never
// matches.
func Match(key []byte, code string, now time.Time, skew int) (step int64, ok bool) {
	if len(code) != Digits {
		return 0, false
	}
	for _, c := range []byte(code) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	cur := Step(now)
	for d := -skew; d <= skew; d++ {
		s := cur + int64(d)
		if subtle.ConstantTimeCompare([]byte(Code(key, s)), []byte(code)) == 1 && !ok {
			step, ok = s, true
		}
	}
	return step, ok
}

// URI returns the otpauth:// key URI of secret (base32) for account at
// issuer, which an authenticator app reads from a QR code:
// otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30.
func URI(issuer, account, secret string) string {
	label := url.PathEscape(account)
	if issuer != "" {
		label = url.PathEscape(issuer) + ":" + label
	}
	q := url.Values{}
	q.Set("secret", secret)
	if issuer != "" {
		q.Set("issuer", issuer)
	}
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(Digits))
	q.Set("period", fmt.Sprint(int(Period/time.Second)))
	return "otpauth://totp/" + label + "?" + q.Encode()
}

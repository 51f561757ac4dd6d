package bench_test

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gatehouse-go/gatehouse/token"
)

// BenchmarkToken compares, per algorithm, gatehouse's Signer.Issue and
// Verifier.Verify with raw golang-jwt signing and ParseWithClaims on the
// same token, key and claims, and for HS256 with crypto/hmac alone.
func BenchmarkToken(b *testing.B) {
	keys := newAlgKeys(b)
	cfg := token.Config{Now: fixedNow}
	ver, err := token.NewVerifier(keySetWith(b, keys, 0), cfg)
	check(b, err)
	for i, k := range keys {
		signer, err := token.NewSigner(keySetWith(b, keys, i), cfg)
		check(b, err)
		tok, _, err := signer.Issue(benchIdentity, 0)
		check(b, err)
		parser := jwt.NewParser(
			jwt.WithValidMethods([]string{k.alg}),
			jwt.WithIssuer(token.DefaultService),
			jwt.WithAudience(token.DefaultService),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithLeeway(token.DefaultLeeway),
			jwt.WithTimeFunc(fixedNow),
			jwt.WithStrictDecoding(),
		)
		// The key is looked up by kid, as gatehouse does.
		byKID := map[string]any{k.key.KID(): k.verify}
		keyFunc := func(t *jwt.Token) (any, error) {
			kid, _ := t.Header["kid"].(string)
			if key, ok := byKID[kid]; ok {
				return key, nil
			}
			return nil, errors.New("unknown kid")
		}
		b.Run(k.alg, func(b *testing.B) {
			b.Run("gatehouse_Issue", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, _, err := signer.Issue(benchIdentity, 0); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("golang-jwt_SignedString", func(b *testing.B) {
				b.ReportAllocs()
				jti := make([]byte, 16)
				for b.Loop() {
					if _, err := rand.Read(jti); err != nil {
						b.Fatal(err)
					}
					now := fixedNow()
					t := jwt.NewWithClaims(k.method, rawClaims{
						SessionID: benchIdentity.SessionID, Name: benchIdentity.Name,
						Roles: benchIdentity.Roles, Company: benchIdentity.Company,
						RegisteredClaims: jwt.RegisteredClaims{
							Issuer: token.DefaultService, Subject: benchIdentity.Subject,
							Audience:  jwt.ClaimStrings{token.DefaultService},
							ExpiresAt: jwt.NewNumericDate(now.Add(token.DefaultTTL)),
							NotBefore: jwt.NewNumericDate(now), IssuedAt: jwt.NewNumericDate(now),
							ID: base64.RawURLEncoding.EncodeToString(jti),
						},
					})
					t.Header["kid"] = k.key.KID()
					t.Header["typ"] = token.Type
					if _, err := t.SignedString(k.sign); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("gatehouse_Verify", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ver.Verify(tok); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("golang-jwt_ParseWithClaims", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var c rawClaims
					if _, err := parser.ParseWithClaims(tok, &c, keyFunc); err != nil {
						b.Fatal(err)
					}
				}
			})
			if k.alg == token.HS256 {
				b.Run("hmac_floor", func(b *testing.B) { benchHMACFloor(b, tok, k.verify.([]byte)) })
			}
		})
	}
}

// benchHMACFloor is the least any HS256 verifier must do: HMAC-SHA256 over
// the signing input, decode the signature and compare in constant time. The
// HMAC state is reused (Reset), so this is below what a stateless verifier
// can reach.
func benchHMACFloor(b *testing.B, tok string, secret []byte) {
	dot := strings.LastIndexByte(tok, '.')
	input, sig := []byte(tok[:dot]), tok[dot+1:]
	mac := hmac.New(sha256.New, secret)
	var sum, got [sha256.Size]byte
	b.ReportAllocs()
	for b.Loop() {
		mac.Reset()
		mac.Write(input)
		n, err := base64.RawURLEncoding.Decode(got[:], []byte(sig))
		if err != nil || !hmac.Equal(mac.Sum(sum[:0]), got[:n]) {
			b.Fatal("hmac mismatch", err)
		}
	}
}

// BenchmarkOversized shows that the size cap makes huge tokens cheap to
// refuse: a megabyte of dots, and an HS256 token correctly signed over an
// 8 MiB payload, handed to gatehouse's Verify and to golang-jwt.
func BenchmarkOversized(b *testing.B) {
	keys := newAlgKeys(b)
	hs := keys[3]
	ver, err := token.NewVerifier(keySetWith(b, keys, 3), token.Config{Now: fixedNow})
	check(b, err)
	parser := jwt.NewParser(jwt.WithValidMethods([]string{token.HS256}), jwt.WithTimeFunc(fixedNow))
	keyFunc := func(*jwt.Token) (any, error) { return hs.verify, nil }

	dots := strings.Repeat(".", 1<<20)
	now := fixedNow()
	big := jwt.NewWithClaims(jwt.SigningMethodHS256, rawClaims{
		SessionID: "s1", Name: strings.Repeat("a", 8<<20),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: token.DefaultService, Subject: "u1", Audience: jwt.ClaimStrings{token.DefaultService},
			ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now), ID: "j1",
		},
	})
	big.Header["kid"] = hs.key.KID()
	big.Header["typ"] = token.Type
	huge, err := big.SignedString(hs.sign)
	check(b, err)

	for _, c := range []struct{ name, tok string }{{"dots_1MiB", dots}, {"payload_8MiB", huge}} {
		b.Run(c.name, func(b *testing.B) {
			b.Run("gatehouse_Verify", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ver.Verify(c.tok); !errors.Is(err, token.ErrTooLarge) {
						b.Fatal(err)
					}
				}
			})
			b.Run("golang-jwt_ParseWithClaims", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					var rc rawClaims
					_, _ = parser.ParseWithClaims(c.tok, &rc, keyFunc) // the 8 MiB token is accepted
				}
			})
		})
	}
}

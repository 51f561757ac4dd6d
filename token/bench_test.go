package token_test

import (
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gatehouse-go/gatehouse/token"
)

// BenchmarkVerify measures Verify per algorithm on a typical token. The
// comparison with raw golang-jwt lives in the bench module.
func BenchmarkVerify(b *testing.B) {
	f := newFixture(b)
	id := token.Identity{Subject: "u1", SessionID: "s1", Name: "alice", Roles: []string{"admin"}, Company: "acme"}
	for _, kid := range []string{"ed1", "ec1", "rsa1", "hs1"} {
		tok, _, err := mustSigner(b, f, kid).Issue(id, 0)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(f.keys[kid].Algorithm(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.ver.Verify(tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIssue measures Issue per algorithm.
func BenchmarkIssue(b *testing.B) {
	f := newFixture(b)
	id := token.Identity{Subject: "u1", SessionID: "s1", Name: "alice", Roles: []string{"admin"}, Company: "acme"}
	for _, kid := range []string{"ed1", "ec1", "rsa1", "hs1"} {
		s := mustSigner(b, f, kid)
		b.Run(f.keys[kid].Algorithm(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := s.Issue(id, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGolangJWTParseHS256 is the reference for BenchmarkVerify/HS256:
// raw golang-jwt ParseWithClaims on the same token, with fewer checks.
func BenchmarkGolangJWTParseHS256(b *testing.B) {
	f := newFixture(b)
	id := token.Identity{Subject: "u1", SessionID: "s1", Name: "alice", Roles: []string{"admin"}, Company: "acme"}
	tok, _, err := mustSigner(b, f, "hs1").Issue(id, 0)
	if err != nil {
		b.Fatal(err)
	}
	p := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(f.clock.Now),
		jwt.WithExpirationRequired(), jwt.WithStrictDecoding())
	keyFunc := func(*jwt.Token) (any, error) { return f.secret, nil }
	b.ReportAllocs()
	for b.Loop() {
		var c jwt.RegisteredClaims
		if _, err := p.ParseWithClaims(tok, &c, keyFunc); err != nil {
			b.Fatal(err)
		}
	}
}

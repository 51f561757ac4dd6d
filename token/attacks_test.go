package token_test

// One table test per attack on a JWT verifier that RFC 8725 (JWT best
// practice) and the advisories of other JWT libraries describe: algorithm
// confusion, "none", key headers, kid injection, missing or wrong claims,
// times, JOSE headers, encodings, duplicate claims, size, and replay. Each
// forged token is signed with the real key wherever that is possible, so
// that only the rule under test stands between it and acceptance:
// TestBaselineAccepted shows the same helpers build tokens that verify.

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/token"
)

func TestBaselineAccepted(t *testing.T) {
	f := newFixture(t)
	c := accepts(t, f, f.ed(t, hdr("EdDSA", "ed1"), claims(start)))
	assert.Equal(t, "u1", c.Subject)
	assert.Equal(t, "s1", c.SessionID)
	assert.Equal(t, "j1", c.ID)
	assert.Equal(t, "alice", c.Name)
	assert.Equal(t, []string{"admin"}, c.Roles)
	assert.Equal(t, "acme", c.Company)
	assert.Equal(t, []string{"gatehouse"}, c.Audience)
	accepts(t, f, jws(t, "ES256", f.ecPriv, hdr("ES256", "ec1").String(), claims(start).String()))
	accepts(t, f, jws(t, "RS256", f.rsa, hdr("RS256", "rsa1").String(), claims(start).String()))
	accepts(t, f, jws(t, "HS256", f.secret, hdr("HS256", "hs1").String(), claims(start).String()))
	// aud as an array that lists us.
	accepts(t, f, f.ed(t, hdr("EdDSA", "ed1"), claims(start).with("aud", `["other","gatehouse"]`)))
	// No nbf, unknown extra claims.
	accepts(t, f, f.ed(t, hdr("EdDSA", "ed1"), claims(start).without("nbf").with("x-new", `{"a":[1,2]}`)))
}

// TestAlgorithmPinnedToKey: the key found by kid fixes the algorithm.
// Each token is signed by the Ed25519 key ed1 but its header names another
// algorithm, so only the algorithm check refuses it.
func TestAlgorithmPinnedToKey(t *testing.T) {
	var rows []attack
	for _, alg := range []string{"HS256", "HS384", "HS512", "RS256", "RS512", "PS256", "ES256", "ES384", "Ed25519", "eddsa", "EDDSA", "EdDSA ", ""} {
		rows = append(rows, attack{
			name: "EdDSA key, alg " + alg,
			token: func(t testing.TB, f *fixture) string {
				return f.ed(t, hdr(alg, "ed1"), claims(start))
			},
			want: token.ErrAlgorithm,
		})
	}
	for _, kid := range []string{"ec1", "rsa1", "hs1"} {
		rows = append(rows, attack{
			name: "EdDSA signature under kid " + kid,
			token: func(t testing.TB, f *fixture) string {
				return f.ed(t, hdr("EdDSA", kid), claims(start))
			},
			want: token.ErrAlgorithm,
		})
	}
	refuses(t, rows)
}

// TestAlgNone: "none" in any case, with or without a signature.
func TestAlgNone(t *testing.T) {
	var rows []attack
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		rows = append(rows,
			attack{
				name: alg + ", empty signature",
				token: func(t testing.TB, f *fixture) string {
					return enc([]byte(hdr(alg, "ed1").String())) + "." + enc([]byte(claims(start).String())) + "."
				},
				want: token.ErrMalformed,
			},
			attack{
				name: alg + ", valid Ed25519 signature",
				token: func(t testing.TB, f *fixture) string {
					return f.ed(t, hdr(alg, "ed1"), claims(start))
				},
				want: token.ErrAlgorithm,
			},
			attack{
				name: alg + ", signature of one zero byte",
				token: func(t testing.TB, f *fixture) string {
					return enc([]byte(hdr(alg, "ed1").String())) + "." + enc([]byte(claims(start).String())) + ".AA"
				},
				want: token.ErrAlgorithm,
			},
		)
	}
	rows = append(rows, attack{
		name: "EdDSA, empty signature",
		token: func(t testing.TB, f *fixture) string {
			return enc([]byte(hdr("EdDSA", "ed1").String())) + "." + enc([]byte(claims(start).String())) + "."
		},
		want: token.ErrMalformed,
	})
	refuses(t, rows)
}

// TestKeyConfusion: HS256 MACed with our public key, as raw bytes or
// as PEM, under the kid of the asymmetric key.
func TestKeyConfusion(t *testing.T) {
	pemOf := func(t testing.TB, pub any) []byte {
		der, err := x509.MarshalPKIXPublicKey(pub)
		require.NoError(t, err)
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}
	confused := func(kid string, secret func(testing.TB, *fixture) []byte) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return jws(t, "HS256", secret(t, f), hdr("HS256", kid).String(), claims(start).String())
		}
	}
	refuses(t, []attack{
		{"Ed25519 raw public key", confused("ed1", func(_ testing.TB, f *fixture) []byte {
			return []byte(f.edPriv.Public().(ed25519.PublicKey))
		}), nil, token.ErrAlgorithm},
		{"Ed25519 PEM public key", confused("ed1", func(t testing.TB, f *fixture) []byte {
			return pemOf(t, f.edPriv.Public())
		}), nil, token.ErrAlgorithm},
		{"RSA PEM public key", confused("rsa1", func(t testing.TB, f *fixture) []byte {
			return pemOf(t, &f.rsa.PublicKey)
		}), nil, token.ErrAlgorithm},
		{"RSA PKCS#1 DER public key", confused("rsa1", func(_ testing.TB, f *fixture) []byte {
			return x509.MarshalPKCS1PublicKey(&f.rsa.PublicKey)
		}), nil, token.ErrAlgorithm},
		{"ECDSA PEM public key", confused("ec1", func(t testing.TB, f *fixture) []byte {
			return pemOf(t, &f.ecPriv.PublicKey)
		}), nil, token.ErrAlgorithm},
		{"HMAC key, MACed with the Ed25519 public key", confused("hs1", func(_ testing.TB, f *fixture) []byte {
			return []byte(f.edPriv.Public().(ed25519.PublicKey))
		}), nil, token.ErrSignature},
	})
}

// TestShortHMACSecret: the constructor refuses secrets under 32 bytes,
// so no empty or short secret ever signs or verifies.
func TestShortHMACSecret(t *testing.T) {
	for _, tc := range []struct {
		name   string
		secret []byte
		ok     bool
	}{
		{"nil", nil, false},
		{"empty", []byte{}, false},
		{"1 byte", []byte("k"), false},
		{"31 bytes", make([]byte, 31), false},
		{"32 bytes", make([]byte, 32), true},
		{"64 bytes", make([]byte, 64), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := token.NewHMACKey("hs", tc.secret)
			if tc.ok {
				require.NoError(t, err)
				assert.Equal(t, token.HS256, k.Algorithm())
				return
			}
			require.ErrorIs(t, err, token.ErrInvalidKey)
			assert.Nil(t, k)
		})
	}
	t.Run("short secret file", func(t *testing.T) {
		path := t.TempDir() + "/secret"
		require.NoError(t, writeFile(path, []byte("short-secret\n")))
		_, err := token.LoadKeyFile("hs", path)
		require.ErrorIs(t, err, token.ErrInvalidKey)
	})
}

// TestKeyHeaders: jwk, jku, x5u, x5c are refused, never used.
func TestKeyHeaders(t *testing.T) {
	attackerJWK := func(f *fixture) string {
		// Our own public key would pass if the header were used to find a key.
		return `{"kty":"OKP","crv":"Ed25519","x":"` + enc(f.edPriv.Public().(ed25519.PublicKey)) + `"}`
	}
	var rows []attack
	for name, raw := range map[string]func(f *fixture) string{
		"jwk": attackerJWK,
		"jku": func(*fixture) string { return `"https://attacker.example/jwks.json"` },
		"x5u": func(*fixture) string { return `"https://attacker.example/cert.pem"` },
		"x5c": func(*fixture) string { return `["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]` },
		"x5t": func(*fixture) string { return `"abc"` },
	} {
		rows = append(rows, attack{
			name: name,
			token: func(t testing.TB, f *fixture) string {
				return f.ed(t, hdr("EdDSA", "ed1").with(name, raw(f)), claims(start))
			},
			want: token.ErrHeader,
		})
	}
	rows = append(rows, attack{
		name: "jwk without kid",
		token: func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1").without("kid").with("jwk", attackerJWK(f)), claims(start))
		},
		want: token.ErrHeader,
	})
	refuses(t, rows)
}

// TestKID: the kid is only a key of an in-memory map.
func TestKID(t *testing.T) {
	bigKID := strings.Repeat("k", 10<<10)
	withKID := func(raw string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1").with("kid", raw), claims(start))
		}
	}
	roomy := func(t testing.TB, f *fixture) *token.Verifier {
		return f.verifier(t, func(c *token.Config) { c.MaxTokenSize = 64 << 10 })
	}
	refuses(t, []attack{
		{"unknown", withKID(`"nope"`), nil, token.ErrUnknownKey},
		{"other case", withKID(`"ED1"`), nil, token.ErrUnknownKey},
		{"empty", withKID(`""`), nil, token.ErrUnknownKey},
		{"path", withKID(`"../../dev/null"`), nil, token.ErrUnknownKey},
		{"absolute path", withKID(`"/etc/passwd"`), nil, token.ErrUnknownKey},
		{"SQL", withKID(`"' OR '1'='1"`), nil, token.ErrUnknownKey},
		{"NUL suffix", withKID(`"ed1\u0000"`), nil, token.ErrUnknownKey},
		{"URL", withKID(`"https://attacker.example/key"`), nil, token.ErrUnknownKey},
		{"10 KiB, default size limit", withKID(`"` + bigKID + `"`), nil, token.ErrTooLarge},
		{"10 KiB, 64 KiB size limit", withKID(`"` + bigKID + `"`), roomy, token.ErrUnknownKey},
		{"number", withKID(`123`), nil, token.ErrHeader},
		{"null", withKID(`null`), nil, token.ErrHeader},
		{"bool", withKID(`true`), nil, token.ErrHeader},
		{"array", withKID(`["ed1"]`), nil, token.ErrHeader},
		{"object", withKID(`{"kid":"ed1"}`), nil, token.ErrHeader},
		{"missing", func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1").without("kid"), claims(start))
		}, nil, token.ErrHeader},
	})
}

// TestIssuerAudience: iss and aud are required and must match.
func TestIssuerAudience(t *testing.T) {
	with := func(name, raw string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1"), claims(start).with(name, raw))
		}
	}
	without := func(name string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1"), claims(start).without(name))
		}
	}
	otherService := func(t testing.TB, f *fixture) *token.Verifier {
		return f.verifier(t, func(c *token.Config) { c.Service = "billing" })
	}
	otherAudience := func(t testing.TB, f *fixture) *token.Verifier {
		return f.verifier(t, func(c *token.Config) { c.Audience = "billing" })
	}
	issued := func(t testing.TB, f *fixture) string {
		tok, _, err := f.signer.Issue(token.Identity{Subject: "u1", SessionID: "s1"}, 0)
		require.NoError(t, err)
		return tok
	}
	refuses(t, []attack{
		{"iss other", with("iss", `"attacker"`), nil, token.ErrClaims},
		{"iss other case", with("iss", `"Gatehouse"`), nil, token.ErrClaims},
		{"iss empty", with("iss", `""`), nil, token.ErrClaims},
		{"iss array", with("iss", `["gatehouse"]`), nil, token.ErrClaims},
		{"iss number", with("iss", `123`), nil, token.ErrClaims},
		{"iss null", with("iss", `null`), nil, token.ErrClaims},
		{"iss missing", without("iss"), nil, token.ErrClaims},
		{"aud other", with("aud", `"attacker"`), nil, token.ErrClaims},
		{"aud empty", with("aud", `""`), nil, token.ErrClaims},
		{"aud empty array", with("aud", `[]`), nil, token.ErrClaims},
		{"aud array of others", with("aud", `["a","b"]`), nil, token.ErrClaims},
		{"aud array with a number", with("aud", `["gatehouse",1]`), nil, token.ErrClaims},
		{"aud number", with("aud", `123`), nil, token.ErrClaims},
		{"aud null", with("aud", `null`), nil, token.ErrClaims},
		{"aud object", with("aud", `{"gatehouse":true}`), nil, token.ErrClaims},
		{"aud missing", without("aud"), nil, token.ErrClaims},
		{"issued here, verifier of another service", issued, otherService, token.ErrClaims},
		{"issued here, verifier of another audience", issued, otherAudience, token.ErrClaims},
	})
}

// TestExpiry: exp is required, a sane integer, and in the future.
func TestExpiry(t *testing.T) {
	exp := func(raw string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1"), claims(start).with("exp", raw))
		}
	}
	past := start.Add(-time.Hour)
	refuses(t, []attack{
		{"missing", func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1"), claims(start).without("exp"))
		}, nil, token.ErrClaims},
		{"past", func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1"), claims(past.Add(-2*time.Hour)))
		}, nil, token.ErrExpired},
		{"zero", exp(`0`), nil, token.ErrClaims},
		{"negative", exp(`-1`), nil, token.ErrClaims},
		{"string", exp(`"` + num(start.Unix()+3600) + `"`), nil, token.ErrClaims},
		{"bool", exp(`true`), nil, token.ErrClaims},
		{"null", exp(`null`), nil, token.ErrClaims},
		{"array", exp(`[` + num(start.Unix()+3600) + `]`), nil, token.ErrClaims},
		{"1e300", exp(`1e300`), nil, token.ErrClaims},
		{"exponent form of a good value", exp(num(start.Unix()/100+36) + `e2`), nil, token.ErrClaims},
		{"fraction", exp(num(start.Unix()+3600) + `.5`), nil, token.ErrClaims},
		{"past year 9999", exp(`253402300800`), nil, token.ErrClaims},
		{"over int64", exp(`99999999999999999999999`), nil, token.ErrClaims},
	})
}

// TestTimes: nbf and iat in the future beyond the leeway, exp at
// the leeway boundary, and exp - iat outside 60..31556926, with a fake
// clock at ±1 s of each limit.
func TestTimes(t *testing.T) {
	const leeway = 30 * time.Second
	type row struct {
		name   string
		claims func(now time.Time) members
		at     time.Duration // clock offset from start at verification
		want   error         // nil: accepted
	}
	at := func(now time.Time, name string, d time.Duration) func(time.Time) members {
		return func(time.Time) members { return claims(now).with(name, num(now.Add(d).Unix())) }
	}
	rows := []row{
		{"nbf now+leeway", at(start, "nbf", leeway), 0, nil},
		{"nbf now+leeway+1s", at(start, "nbf", leeway+time.Second), 0, token.ErrNotYetValid},
		{"nbf far future", at(start, "nbf", 24*time.Hour), 0, token.ErrNotYetValid},
		{"nbf string", func(now time.Time) members { return claims(now).with("nbf", `"0"`) }, 0, token.ErrClaims},
		{"iat now+leeway", func(now time.Time) members {
			return claims(now.Add(leeway)).without("nbf")
		}, 0, nil},
		{"iat now+leeway+1s", func(now time.Time) members {
			return claims(now.Add(leeway + time.Second)).without("nbf")
		}, 0, token.ErrNotYetValid},
		{"iat missing", func(now time.Time) members { return claims(now).without("iat") }, 0, token.ErrClaims},
		{"iat string", func(now time.Time) members { return claims(now).with("iat", `"x"`) }, 0, token.ErrClaims},
		// claims(start) expire at start+1h.
		{"exp+leeway-1s", claims, time.Hour + leeway - time.Second, nil},
		{"exp+leeway", claims, time.Hour + leeway, token.ErrExpired},
		{"exp+leeway+1s", claims, time.Hour + leeway + time.Second, token.ErrExpired},
		{"lifetime 59s", at(start, "exp", 59*time.Second), 0, token.ErrClaims},
		{"lifetime 60s", at(start, "exp", 60*time.Second), 0, nil},
		{"lifetime 31556926s", at(start, "exp", 31556926*time.Second), 0, nil},
		{"lifetime 31556927s", at(start, "exp", 31556927*time.Second), 0, token.ErrClaims},
		{"exp before iat", at(start, "exp", -time.Hour), -2 * time.Hour, token.ErrClaims},
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			f := newFixture(t)
			tok := f.ed(t, hdr("EdDSA", "ed1"), r.claims(start))
			f.clock.Set(start.Add(r.at))
			c, err := f.ver.Verify(tok)
			if r.want == nil {
				require.NoError(t, err)
				require.NotNil(t, c)
				return
			}
			require.ErrorIs(t, err, r.want)
			require.Nil(t, c)
		})
	}
	t.Run("no leeway", func(t *testing.T) {
		f := newFixture(t)
		v := f.verifier(t, func(c *token.Config) { c.Leeway = -1 })
		tok := f.ed(t, hdr("EdDSA", "ed1"), claims(start))
		f.clock.Set(start.Add(time.Hour - time.Second))
		_, err := v.Verify(tok)
		require.NoError(t, err)
		f.clock.Set(start.Add(time.Hour))
		_, err = v.Verify(tok)
		require.ErrorIs(t, err, token.ErrExpired)
		f.clock.Set(start.Add(-time.Second))
		_, err = v.Verify(tok)
		require.ErrorIs(t, err, token.ErrNotYetValid)
	})
}

// TestJOSEHeaders: crit, cty, enc, zip and the JWE form.
func TestJOSEHeaders(t *testing.T) {
	param := func(name, raw string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1").with(name, raw), claims(start))
		}
	}
	segments := func(n int) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			tok := f.ed(t, hdr("EdDSA", "ed1"), claims(start))
			return tok + strings.Repeat(".AAAA", n-3)
		}
	}
	refuses(t, []attack{
		{"crit exp", param("crit", `["exp"]`), nil, token.ErrHeader},
		{"crit empty", param("crit", `[]`), nil, token.ErrHeader},
		{"crit b64", param("crit", `["b64"]`), nil, token.ErrHeader},
		{"b64 false", param("b64", `false`), nil, token.ErrHeader},
		{"cty JWT (nested)", param("cty", `"JWT"`), nil, token.ErrHeader},
		{"enc", param("enc", `"A256GCM"`), nil, token.ErrHeader},
		{"zip", param("zip", `"DEF"`), nil, token.ErrHeader},
		{"four segments", segments(4), nil, token.ErrMalformed},
		{"five segments (JWE)", segments(5), nil, token.ErrMalformed},
		{"JWE header", func(t testing.TB, f *fixture) string {
			h := members{{"alg", `"dir"`}, {"enc", `"A256GCM"`}, {"kid", `"hs1"`}}
			return enc([]byte(h.String())) + "..AAAA.AAAA.AAAA"
		}, nil, token.ErrMalformed},
	})
}

// TestType: typ "at+jwt" is issued and required.
func TestType(t *testing.T) {
	typ := func(raw string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1").with("typ", raw), claims(start))
		}
	}
	refuses(t, []attack{
		{"JWT", typ(`"JWT"`), nil, token.ErrHeader},
		{"id token", typ(`"id_token+jwt"`), nil, token.ErrHeader},
		{"refresh", typ(`"refresh+jwt"`), nil, token.ErrHeader},
		{"other case", typ(`"AT+JWT"`), nil, token.ErrHeader},
		{"empty", typ(`""`), nil, token.ErrHeader},
		{"number", typ(`1`), nil, token.ErrHeader},
		{"missing", func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1").without("typ"), claims(start))
		}, nil, token.ErrHeader},
	})
	t.Run("issued tokens carry it", func(t *testing.T) {
		f := newFixture(t)
		tok, _, err := f.signer.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
		require.NoError(t, err)
		h, err := b64.DecodeString(strings.Split(tok, ".")[0])
		require.NoError(t, err)
		assert.JSONEq(t, `{"alg":"EdDSA","kid":"ed1","typ":"at+jwt"}`, string(h))
	})
}

// TestEncoding: only the canonical compact form is read.
func TestEncoding(t *testing.T) {
	valid := func(t testing.TB, f *fixture) string {
		return f.ed(t, hdr("EdDSA", "ed1"), claims(start))
	}
	edit := func(fn func(tok string) string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string { return fn(valid(t, f)) }
	}
	// segment returns tok with segment i changed by fn.
	segment := func(i int, fn func(string) string) func(testing.TB, *fixture) string {
		return edit(func(tok string) string {
			parts := strings.Split(tok, ".")
			parts[i] = fn(parts[i])
			return strings.Join(parts, ".")
		})
	}
	// malleate flips the lowest of the unused bits of the last character
	// of a segment whose length leaves some, which a lenient decoder maps
	// to the same bytes.
	malleate := func(s string) string {
		if len(s)%4 == 0 {
			panic("segment without unused bits")
		}
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		last := strings.IndexByte(alphabet, s[len(s)-1])
		return s[:len(s)-1] + string(alphabet[last^1])
	}
	// slack returns a valid token whose three segments all have unused bits.
	slack := func(t testing.TB, f *fixture) string {
		h := hdr("EdDSA", "ed1").String()
		for len(enc([]byte(h)))%4 == 0 {
			h = "{ " + h[1:] // same header, one byte longer
		}
		for pad := 0; ; pad++ {
			tok := jws(t, "EdDSA", f.edPriv, h, claims(start).with("pad", `"`+strings.Repeat("p", pad)+`"`).String())
			if len(strings.Split(tok, ".")[1])%4 != 0 {
				return tok
			}
		}
	}
	malleated := func(i int) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			parts := strings.Split(slack(t, f), ".")
			parts[i] = malleate(parts[i])
			return strings.Join(parts, ".")
		}
	}
	refuses(t, []attack{
		{"padding on signature", segment(2, func(s string) string { return s + "==" }), nil, token.ErrMalformed},
		{"padding on header", segment(0, func(s string) string { return s + "=" }), nil, token.ErrMalformed},
		{"standard alphabet", segment(1, func(s string) string { return s + "+/" }), nil, token.ErrMalformed},
		{"leading space", edit(func(s string) string { return " " + s }), nil, token.ErrMalformed},
		{"trailing newline", edit(func(s string) string { return s + "\n" }), nil, token.ErrMalformed},
		{"CRLF inside signature", segment(2, func(s string) string { return s[:10] + "\r\n" + s[10:] }), nil, token.ErrMalformed},
		{"tab inside payload", segment(1, func(s string) string { return s[:10] + "\t" + s[10:] }), nil, token.ErrMalformed},
		{"percent-encoded", segment(1, func(s string) string { return s[:4] + "%41" + s[4:] }), nil, token.ErrMalformed},
		{"non-ASCII", segment(1, func(s string) string { return s[:4] + "é" + s[4:] }), nil, token.ErrMalformed},
		{"Bearer prefix", edit(func(s string) string { return "Bearer " + s }), nil, token.ErrMalformed},
		{"empty header", segment(0, func(string) string { return "" }), nil, token.ErrMalformed},
		{"empty payload", segment(1, func(string) string { return "" }), nil, token.ErrMalformed},
		{"two segments", edit(func(s string) string { return s[:strings.LastIndexByte(s, '.')] }), nil, token.ErrMalformed},
		{"one segment", edit(func(s string) string { return s[:strings.IndexByte(s, '.')] }), nil, token.ErrMalformed},
		{"empty", func(testing.TB, *fixture) string { return "" }, nil, token.ErrMalformed},
		{"dots only", func(testing.TB, *fixture) string { return ".." }, nil, token.ErrMalformed},
		{"JSON serialisation", func(t testing.TB, f *fixture) string {
			parts := strings.Split(valid(t, f), ".")
			return `{"protected":"` + parts[0] + `","payload":"` + parts[1] + `","signature":"` + parts[2] + `"}`
		}, nil, token.ErrMalformed},
		{"malleated header", malleated(0), nil, token.ErrMalformed},
		// The signature covers the payload's characters, not its bytes.
		{"malleated payload", malleated(1), nil, token.ErrSignature},
		{"malleated signature", malleated(2), nil, token.ErrMalformed},
		{"length impossible in base64", segment(2, func(s string) string { return s + "AAA" }), nil, token.ErrMalformed},
	})
	t.Run("malleation changes nothing for a lenient decoder", func(t *testing.T) {
		// Guards the rows above: the malleated segments decode to the same
		// bytes without strict decoding, so only strictness refuses them.
		f := newFixture(t)
		tok := slack(t, f)
		require.NotNil(t, accepts(t, f, tok))
		for i, seg := range strings.Split(tok, ".") {
			a, err := b64.DecodeString(seg)
			require.NoError(t, err)
			m := malleate(seg)
			require.NotEqual(t, seg, m)
			b, err := lenient.DecodeString(m)
			require.NoError(t, err, "segment %d", i)
			require.Equal(t, a, b, "segment %d", i)
		}
	})
}

// TestTampering: any change to a signed part voids the signature, and
// truncation at any point is refused.
func TestTampering(t *testing.T) {
	refuses(t, []attack{
		{"payload re-encoded with another sub", func(t testing.TB, f *fixture) string {
			parts := strings.Split(f.ed(t, hdr("EdDSA", "ed1"), claims(start)), ".")
			parts[1] = enc([]byte(claims(start).with("sub", `"admin"`).String()))
			return strings.Join(parts, ".")
		}, nil, token.ErrSignature},
		{"header re-encoded with the same meaning", func(t testing.TB, f *fixture) string {
			parts := strings.Split(f.ed(t, hdr("EdDSA", "ed1"), claims(start)), ".")
			parts[0] = enc([]byte(`{"typ":"at+jwt","kid":"ed1","alg":"EdDSA"}`))
			return strings.Join(parts, ".")
		}, nil, token.ErrSignature},
		{"signature byte flipped", func(t testing.TB, f *fixture) string {
			parts := strings.Split(f.ed(t, hdr("EdDSA", "ed1"), claims(start)), ".")
			sig, _ := b64.DecodeString(parts[2])
			sig[0] ^= 1
			parts[2] = enc(sig)
			return strings.Join(parts, ".")
		}, nil, token.ErrSignature},
		{"signature of another token", func(t testing.TB, f *fixture) string {
			a := strings.Split(f.ed(t, hdr("EdDSA", "ed1"), claims(start)), ".")
			b := strings.Split(f.ed(t, hdr("EdDSA", "ed1"), claims(start).with("sub", `"admin"`)), ".")
			return a[0] + "." + b[1] + "." + a[2]
		}, nil, token.ErrSignature},
		{"HS256 signed with another secret", func(t testing.TB, f *fixture) string {
			return jws(t, "HS256", []byte(strings.Repeat("x", 32)), hdr("HS256", "hs1").String(), claims(start).String())
		}, nil, token.ErrSignature},
		{"ES256 signed by another key", func(t testing.TB, f *fixture) string {
			other := newFixture(t)
			return jws(t, "ES256", other.ecPriv, hdr("ES256", "ec1").String(), claims(start).String())
		}, nil, token.ErrSignature},
	})
	t.Run("every truncation", func(t *testing.T) {
		f := newFixture(t)
		for _, alg := range []string{"ed1", "ec1", "rsa1", "hs1"} {
			tok, _, err := mustSigner(t, f, alg).Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
			require.NoError(t, err)
			for n := 0; n < len(tok); n++ {
				c, err := f.ver.Verify(tok[:n])
				require.Error(t, err, "%s truncated to %d", alg, n)
				require.Nil(t, c)
			}
			_, err = f.ver.Verify(tok)
			require.NoError(t, err)
		}
	})
}

// TestClaimNames: duplicate and case-colliding names, invalid
// UTF-8 and non-JSON parts.
func TestClaimNames(t *testing.T) {
	payload := func(ms members) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string { return f.ed(t, hdr("EdDSA", "ed1"), ms) }
	}
	rawPayload := func(p string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return jws(t, "EdDSA", f.edPriv, hdr("EdDSA", "ed1").String(), p)
		}
	}
	rawHeader := func(h string) func(testing.TB, *fixture) string {
		return func(t testing.TB, f *fixture) string {
			return jws(t, "EdDSA", f.edPriv, h, claims(start).String())
		}
	}
	c := claims(start)
	valid := c.String()
	t.Run("escapes are decoded", func(t *testing.T) {
		f := newFixture(t)
		p := strings.Replace(valid, `"sub":"u1"`, `"s\u0075b":"\u0075\n1"`, 1)
		got := accepts(t, f, jws(t, "EdDSA", f.edPriv, hdr("EdDSA", "ed1").String(), p))
		assert.Equal(t, "u\n1", got.Subject)
	})
	t.Run("64 members verify", func(t *testing.T) {
		f := newFixture(t)
		ms := c
		for i := range 64 - len(c) {
			ms = ms.with("x"+num(int64(i)), `0`)
		}
		accepts(t, f, f.ed(t, hdr("EdDSA", "ed1"), ms))
	})
	refuses(t, []attack{
		{"sub twice", payload(c.add("sub", `"admin"`)), nil, token.ErrClaims},
		{"escaped SUB after sub", rawPayload(strings.Replace(valid, `{`, `{"S\u0055B":"admin",`, 1)), nil, token.ErrClaims},
		{"escaped sub before sub", rawPayload(strings.Replace(valid, `{`, `{"s\u0075b":"admin",`, 1)), nil, token.ErrClaims},
		{"SUB after sub", payload(c.add("SUB", `"admin"`)), nil, token.ErrClaims},
		{"Sub after sub", payload(c.add("Sub", `"admin"`)), nil, token.ErrClaims},
		{"sid twice", payload(c.add("sid", `"s2"`)), nil, token.ErrClaims},
		{"EXP after exp", payload(c.add("EXP", num(start.Unix()+31000000))), nil, token.ErrClaims},
		{"unknown claim twice", payload(c.add("x", `1`).add("x", `2`)), nil, token.ErrClaims},
		{"unknown claims colliding by case", payload(c.add("x", `1`).add("X", `2`)), nil, token.ErrClaims},
		{"kid twice", rawHeader(hdr("EdDSA", "ed1").add("kid", `"ec1"`).String()), nil, token.ErrHeader},
		{"ALG after alg", rawHeader(hdr("EdDSA", "ed1").add("ALG", `"none"`).String()), nil, token.ErrHeader},
		{"invalid UTF-8 in a claim", rawPayload(strings.Replace(valid, `"alice"`, "\"al\xffce\"", 1)), nil, token.ErrMalformed},
		{"invalid UTF-8 in a name", rawPayload(strings.Replace(valid, `{`, "{\"\xc3\":1,", 1)), nil, token.ErrMalformed},
		{"invalid UTF-8 in the header", rawHeader("{\"alg\":\"EdDSA\",\"kid\":\"ed1\",\"typ\":\"at+jwt\",\"\xed\xa0\x80\":1}"), nil, token.ErrMalformed},
		{"payload not JSON", rawPayload(`not json`), nil, token.ErrMalformed},
		{"payload a JSON array", rawPayload(`[` + valid + `]`), nil, token.ErrMalformed},
		{"payload a JSON string", rawPayload(`"` + valid + `"`), nil, token.ErrMalformed},
		{"payload with trailing data", rawPayload(valid + `x`), nil, token.ErrMalformed},
		{"payload of two objects", rawPayload(valid + valid), nil, token.ErrMalformed},
		{"payload unterminated", rawPayload(valid[:len(valid)-1]), nil, token.ErrMalformed},
		{"payload empty", rawPayload(``), nil, token.ErrMalformed},
		{"header not JSON", rawHeader(`alg=EdDSA`), nil, token.ErrMalformed},
		{"header null", rawHeader(`null`), nil, token.ErrMalformed},
		{"header base64 of garbage", func(t testing.TB, f *fixture) string {
			tok := f.ed(t, hdr("EdDSA", "ed1"), claims(start))
			return "AAAA" + tok[strings.IndexByte(tok, '.'):]
		}, nil, token.ErrMalformed},
		{"65 members", func(t testing.TB, f *fixture) string {
			ms := c
			for i := range 65 - len(c) {
				ms = ms.with("x"+num(int64(i)), `0`)
			}
			return f.ed(t, hdr("EdDSA", "ed1"), ms)
		}, nil, token.ErrMalformed},
		{"sub number", payload(c.with("sub", `1`)), nil, token.ErrClaims},
		{"sub empty", payload(c.with("sub", `""`)), nil, token.ErrClaims},
		{"sub missing", payload(c.without("sub")), nil, token.ErrClaims},
		{"sid missing", payload(c.without("sid")), nil, token.ErrClaims},
		{"sid null", payload(c.with("sid", `null`)), nil, token.ErrClaims},
		{"jti missing", payload(c.without("jti")), nil, token.ErrClaims},
		{"jti number", payload(c.with("jti", `7`)), nil, token.ErrClaims},
		{"roles a string", payload(c.with("roles", `"admin"`)), nil, token.ErrClaims},
		{"roles with a number", payload(c.with("roles", `["admin",1]`)), nil, token.ErrClaims},
		{"name an object", payload(c.with("name", `{}`)), nil, token.ErrClaims},
		{"company bool", payload(c.with("company", `false`)), nil, token.ErrClaims},
	})
}

// TestSize: oversized input is refused before it is read.
func TestSize(t *testing.T) {
	huge := func(s string) func(testing.TB, *fixture) string {
		return func(testing.TB, *fixture) string { return s }
	}
	refuses(t, []attack{
		{"1 MiB of dots", huge(strings.Repeat(".", 1<<20)), nil, token.ErrTooLarge},
		{"8 MiB payload", huge("eyJhbGciOiJFZERTQSJ9." + strings.Repeat("A", 8<<20) + ".AAAA"), nil, token.ErrTooLarge},
		{"huge header", func(t testing.TB, f *fixture) string {
			return f.ed(t, hdr("EdDSA", "ed1").with("x", `"`+strings.Repeat("a", 9<<10)+`"`), claims(start))
		}, nil, token.ErrTooLarge},
		{"just over 8 KiB", func(t testing.TB, f *fixture) string {
			tok := sized(t, f, token.DefaultMaxTokenSize+1)
			require.LessOrEqual(t, len(tok), token.DefaultMaxTokenSize+2)
			return tok
		}, nil, token.ErrTooLarge},
		{"8 KiB, limit one byte less", func(t testing.TB, f *fixture) string {
			return sized(t, f, token.DefaultMaxTokenSize)
		}, func(t testing.TB, f *fixture) *token.Verifier {
			return f.verifier(t, func(c *token.Config) { c.MaxTokenSize = token.DefaultMaxTokenSize - 1 })
		}, token.ErrTooLarge},
	})
	t.Run("8192 bytes verify", func(t *testing.T) {
		f := newFixture(t)
		tok := sized(t, f, token.DefaultMaxTokenSize)
		require.Len(t, tok, token.DefaultMaxTokenSize)
		accepts(t, f, tok)
	})
	t.Run("no allocation per byte", func(t *testing.T) {
		f := newFixture(t)
		dots := strings.Repeat(".", 1<<20)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 100 {
			_, _ = f.ver.Verify(dots)
		}
		runtime.ReadMemStats(&after)
		// A few small error values per call, nothing in proportion to the
		// 1 MiB input.
		assert.Less(t, (after.TotalAlloc-before.TotalAlloc)/100, uint64(1024))
	})
}

// sized returns the shortest valid token of at least n bytes, padded with
// an unknown claim (base64 cannot reach every length).
func sized(t testing.TB, f *fixture, n int) string {
	t.Helper()
	base := len(f.ed(t, hdr("EdDSA", "ed1"), claims(start).with("pad", `""`)))
	for pad := max(0, (n-base)*3/4-8); ; pad++ {
		tok := f.ed(t, hdr("EdDSA", "ed1"), claims(start).with("pad", `"`+strings.Repeat("p", pad)+`"`))
		if len(tok) >= n {
			return tok
		}
	}
}

// TestExpiredAndBadlySigned: there is no "expired, so refresh" path: a
// token that is both reports the signature.
func TestExpiredAndBadlySigned(t *testing.T) {
	forged := func(t testing.TB, f *fixture) string {
		other := newFixture(t)
		return other.ed(t, hdr("EdDSA", "ed1"), claims(start))
	}
	late := func(t testing.TB, f *fixture) *token.Verifier {
		f.clock.Set(start.Add(48 * time.Hour))
		return f.ver
	}
	refuses(t, []attack{{"expired and forged", forged, late, token.ErrSignature}})
	t.Run("not ErrExpired", func(t *testing.T) {
		f := newFixture(t)
		tok := forged(t, f)
		_, err := late(t, f).Verify(tok)
		require.Error(t, err)
		assert.NotErrorIs(t, err, token.ErrExpired)
	})
}

// TestReplay: replay after logout or a password change is refused by
// the session layer, which checks on every use that the token's session is
// live and of the current epoch. What the token package owes it: every
// token names its session and has its own id, both verified.
func TestReplay(t *testing.T) {
	f := newFixture(t)
	seen := map[string]bool{}
	for range 200 {
		tok, issued, err := f.signer.Issue(token.Identity{Subject: "u1", SessionID: "s1"}, 0)
		require.NoError(t, err)
		c, err := f.ver.Verify(tok)
		require.NoError(t, err)
		assert.Equal(t, "s1", c.SessionID)
		assert.Equal(t, issued.ID, c.ID)
		require.False(t, seen[c.ID], "jti repeated")
		seen[c.ID] = true
	}
}

package bench_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/gatehouse-go/gatehouse/token"
)

// benchNow is the fixed clock of the token benchmarks and the interop test.
var benchNow = time.Unix(1_800_000_000, 0)

func fixedNow() time.Time { return benchNow }

// benchIdentity is the identity every benchmark token carries.
var benchIdentity = token.Identity{Subject: "u1", SessionID: "s1", Name: "alice", Roles: []string{"sales", "viewer"}, Company: "acme"}

// algKey is one algorithm's key in both worlds: a gatehouse Key and the raw
// crypto keys golang-jwt signs and verifies with.
type algKey struct {
	alg    string
	method jwt.SigningMethod
	key    *token.Key
	sign   any // private key or HMAC secret, for golang-jwt
	verify any // public key or HMAC secret, for golang-jwt
}

// newAlgKeys generates one key per algorithm, in the order EdDSA, ES256,
// RS256, HS256.
func newAlgKeys(tb testing.TB) []algKey {
	tb.Helper()
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	check(tb, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(tb, err)
	rs, err := rsa.GenerateKey(rand.Reader, 2048)
	check(tb, err)
	secret := make([]byte, 32)
	_, err = rand.Read(secret)
	check(tb, err)

	edKey, err := token.NewEd25519Key("ed1", ed)
	check(tb, err)
	ecKey, err := token.NewECDSAKey("ec1", ec)
	check(tb, err)
	rsKey, err := token.NewRSAKey("rs1", rs)
	check(tb, err)
	hsKey, err := token.NewHMACKey("hs1", secret)
	check(tb, err)
	return []algKey{
		{alg: token.EdDSA, method: jwt.SigningMethodEdDSA, key: edKey, sign: ed, verify: ed.Public()},
		{alg: token.ES256, method: jwt.SigningMethodES256, key: ecKey, sign: ec, verify: &ec.PublicKey},
		{alg: token.RS256, method: jwt.SigningMethodRS256, key: rsKey, sign: rs, verify: &rs.PublicKey},
		{alg: token.HS256, method: jwt.SigningMethodHS256, key: hsKey, sign: secret, verify: secret},
	}
}

// keySetWith returns a key set holding every key, with active the one that signs.
func keySetWith(tb testing.TB, keys []algKey, active int) *token.KeySet {
	tb.Helper()
	var others []*token.Key
	for i, k := range keys {
		if i != active {
			others = append(others, k.key)
		}
	}
	ks, err := token.NewKeySet(keys[active].key, others...)
	check(tb, err)
	return ks
}

func check(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// rawClaims are gatehouse's claims as golang-jwt users would declare them.
type rawClaims struct {
	SessionID string   `json:"sid"`
	Name      string   `json:"name,omitempty"`
	Roles     []string `json:"roles,omitempty"`
	Company   string   `json:"company,omitempty"`
	jwt.RegisteredClaims
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

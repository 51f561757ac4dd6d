package token_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/token"
)

func TestRotation(t *testing.T) {
	f := newFixture(t)
	id := token.Identity{Subject: "u1", SessionID: "s1"}
	old, _, err := f.signer.Issue(id, 0)
	require.NoError(t, err)

	next, err := token.GenerateEd25519("ed2")
	require.NoError(t, err)
	require.NoError(t, f.set.Rotate(next))
	assert.Equal(t, "ed2", f.set.Active().KID())

	fresh, c, err := f.signer.Issue(id, 0)
	require.NoError(t, err)
	assert.Contains(t, f.set.KIDs(), "ed1")
	_, err = f.ver.Verify(fresh)
	require.NoError(t, err, "new key verifies")
	_, err = f.ver.Verify(old)
	require.NoError(t, err, "tokens signed before the rotation stay valid")
	assert.Equal(t, "u1", c.Subject)

	require.NoError(t, f.set.Remove("ed1"))
	_, err = f.ver.Verify(old)
	require.ErrorIs(t, err, token.ErrUnknownKey, "a removed key verifies nothing")
	_, err = f.ver.Verify(fresh)
	require.NoError(t, err)
}

func TestKeySetRules(t *testing.T) {
	f := newFixture(t)
	pub, err := token.NewPublicKey("pub", f.edPriv.Public())
	require.NoError(t, err)

	require.ErrorIs(t, f.set.Add(f.keys["ec1"]), token.ErrDuplicateKey)
	require.ErrorIs(t, f.set.Rotate(f.keys["ec1"]), token.ErrDuplicateKey)
	require.ErrorIs(t, f.set.Add(nil), token.ErrInvalidKey)
	require.ErrorIs(t, f.set.Rotate(nil), token.ErrInvalidKey)
	require.ErrorIs(t, f.set.Rotate(pub), token.ErrNoSigningKey)
	require.ErrorIs(t, f.set.Remove("ed1"), token.ErrActiveKey)
	require.ErrorIs(t, f.set.Remove("nope"), token.ErrUnknownKey)
	require.ErrorIs(t, f.set.SetActive("nope"), token.ErrUnknownKey)

	require.NoError(t, f.set.Add(pub))
	require.ErrorIs(t, f.set.SetActive("pub"), token.ErrNoSigningKey)
	assert.Equal(t, "ed1", f.set.Active().KID())

	require.NoError(t, f.set.SetActive("hs1"))
	tok, _, err := f.signer.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.NoError(t, err)
	c, err := f.ver.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, "u", c.Subject)
	require.NoError(t, f.set.Remove("ed1"), "no longer active")

	_, ok := f.set.Key("ed1")
	assert.False(t, ok)
	k, ok := f.set.Key("ec1")
	require.True(t, ok)
	assert.Equal(t, token.ES256, k.Algorithm())

	_, err = token.NewKeySet(pub)
	require.ErrorIs(t, err, token.ErrNoSigningKey)
	_, err = token.NewKeySet(f.keys["ed1"], f.keys["ed1"])
	require.ErrorIs(t, err, token.ErrDuplicateKey)
}

func TestZeroKeySet(t *testing.T) {
	var set token.KeySet
	assert.Nil(t, set.Active())
	assert.Empty(t, set.KIDs())
	s, err := token.NewSigner(&set, token.Config{})
	require.NoError(t, err)
	_, _, err = s.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.ErrorIs(t, err, token.ErrNoSigningKey)
	doc, err := set.JWKS()
	require.NoError(t, err)
	assert.JSONEq(t, `{"keys":[]}`, string(doc))

	k, err := token.GenerateEd25519("a")
	require.NoError(t, err)
	require.NoError(t, set.Rotate(k))
	_, _, err = s.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.NoError(t, err)
}

func TestJWKS(t *testing.T) {
	f := newFixture(t)
	doc, err := f.set.JWKS()
	require.NoError(t, err)

	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(doc, &set))
	require.Len(t, set.Keys, 3, "Ed25519, P-256 and RSA; never the HMAC key")

	allowed := map[string]map[string]bool{
		"OKP": {"kty": true, "crv": true, "x": true, "kid": true, "alg": true, "use": true},
		"EC":  {"kty": true, "crv": true, "x": true, "y": true, "kid": true, "alg": true, "use": true},
		"RSA": {"kty": true, "n": true, "e": true, "kid": true, "alg": true, "use": true},
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	byKID := map[string]map[string]any{}
	for _, k := range set.Keys {
		for name := range k {
			assert.True(t, allowed[str(k, "kty")][name], "member %q in %v", name, k)
		}
		assert.Equal(t, "sig", k["use"])
		byKID[str(k, "kid")] = k
	}
	assert.NotContains(t, byKID, "hs1")
	assert.NotContains(t, string(doc), b64.EncodeToString(f.secret))
	assert.NotContains(t, string(doc), `"d"`)
	assert.NotContains(t, string(doc), `"k"`)

	// Each published key is exactly our public key.
	dec := func(s string) []byte {
		b, err := b64.DecodeString(s)
		require.NoError(t, err)
		return b
	}
	ed := byKID["ed1"]
	assert.Equal(t, "EdDSA", ed["alg"])
	assert.Equal(t, "Ed25519", ed["crv"])
	assert.Equal(t, []byte(f.edPriv.Public().(ed25519.PublicKey)), dec(str(ed, "x")))

	ec := byKID["ec1"]
	assert.Equal(t, "ES256", ec["alg"])
	assert.Equal(t, "P-256", ec["crv"])
	x, y := dec(str(ec, "x")), dec(str(ec, "y"))
	require.Len(t, x, 32)
	require.Len(t, y, 32)
	got, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
	require.NoError(t, err)
	assert.True(t, got.Equal(&f.ecPriv.PublicKey))

	r := byKID["rsa1"]
	assert.Equal(t, "RS256", r["alg"])
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(dec(str(r, "n"))), E: int(new(big.Int).SetBytes(dec(str(r, "e"))).Int64())}
	assert.True(t, pub.Equal(&f.rsa.PublicKey))
	assert.Equal(t, "AQAB", r["e"])

	// Sorted by kid, stable.
	again, err := f.set.JWKS()
	require.NoError(t, err)
	assert.Equal(t, doc, again)
	assert.Equal(t, []string{"ec1", "ed1", "rsa1"}, []string{str(set.Keys[0], "kid"), str(set.Keys[1], "kid"), str(set.Keys[2], "kid")})
}

func TestKeySetConcurrentUse(t *testing.T) {
	f := newFixture(t)
	tok, _, err := f.signer.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 50 {
				_, err := f.ver.Verify(tok)
				assert.NoError(t, err)
				_, _, err = f.signer.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
				assert.NoError(t, err)
				_, _ = f.set.JWKS()
			}
		})
		wg.Go(func() {
			for j := range 20 {
				k, err := token.NewHMACKey("", []byte{byte(i), byte(j), 31: 0})
				assert.NoError(t, err)
				assert.NoError(t, f.set.Rotate(k))
			}
		})
	}
	wg.Wait()
	assert.Len(t, f.set.KIDs(), 4+4*20)
}

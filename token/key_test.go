package token_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/token"
)

// The RSA key of RFC 7638 §3.1 and its JWK thumbprint.
const (
	rfc7638N     = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	rfc7638Thumb = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
)

func TestDerivedKIDIsRFC7638Thumbprint(t *testing.T) {
	n, err := b64.DecodeString(rfc7638N)
	require.NoError(t, err)
	k, err := token.NewPublicKey("", &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537})
	require.NoError(t, err)
	assert.Equal(t, rfc7638Thumb, k.KID())
	assert.Equal(t, token.RS256, k.Algorithm())
	assert.False(t, k.CanSign())
}

func TestDerivedKIDs(t *testing.T) {
	f := newFixture(t)
	ed1, err := token.NewEd25519Key("", f.edPriv)
	require.NoError(t, err)
	ed2, err := token.NewPublicKey("", f.edPriv.Public())
	require.NoError(t, err)
	assert.Len(t, ed1.KID(), 43)
	assert.Equal(t, ed1.KID(), ed2.KID(), "private and public halves share the thumbprint")

	ec1, err := token.NewECDSAKey("", f.ecPriv)
	require.NoError(t, err)
	ec2, err := token.NewPublicKey("", &f.ecPriv.PublicKey)
	require.NoError(t, err)
	assert.Equal(t, ec1.KID(), ec2.KID())
	assert.NotEqual(t, ec1.KID(), ed1.KID())

	hs, err := token.NewHMACKey("", f.secret)
	require.NoError(t, err)
	assert.Regexp(t, `^hs256-[A-Za-z0-9_-]{22}$`, hs.KID())
	other, err := token.NewHMACKey("", append([]byte{1}, f.secret...))
	require.NoError(t, err)
	assert.NotEqual(t, hs.KID(), other.KID())
}

func TestKeyConstructorsRefuseWeakKeys(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	ed := ed25519.NewKeyFromSeed(make([]byte, 32))
	for _, tc := range []struct {
		name string
		make func() (*token.Key, error)
	}{
		{"ECDSA P-384", func() (*token.Key, error) { return token.NewECDSAKey("k", p384) }},
		{"ECDSA P-384 public", func() (*token.Key, error) { return token.NewPublicKey("k", &p384.PublicKey) }},
		{"ECDSA nil", func() (*token.Key, error) { return token.NewECDSAKey("k", nil) }},
		{"RSA 1024", func() (*token.Key, error) { return token.NewRSAKey("k", rsa1024) }},
		{"RSA 1024 public", func() (*token.Key, error) { return token.NewPublicKey("k", &rsa1024.PublicKey) }},
		{"RSA nil", func() (*token.Key, error) { return token.NewRSAKey("k", nil) }},
		{"RSA even exponent", func() (*token.Key, error) {
			return token.NewPublicKey("k", &rsa.PublicKey{N: rsaPriv().N, E: 65536})
		}},
		{"Ed25519 short", func() (*token.Key, error) { return token.NewEd25519Key("k", ed[:63]) }},
		{"Ed25519 public short", func() (*token.Key, error) { return token.NewPublicKey("k", ed25519.PublicKey(make([]byte, 31))) }},
		{"unsupported public key", func() (*token.Key, error) { return token.NewPublicKey("k", "secret") }},
		{"nil public key", func() (*token.Key, error) { return token.NewPublicKey("k", nil) }},
		{"typed nil ECDSA public", func() (*token.Key, error) { return token.NewPublicKey("k", (*ecdsa.PublicKey)(nil)) }},
		{"kid with a slash", func() (*token.Key, error) { return token.NewEd25519Key("a/b", ed) }},
		{"kid with a quote", func() (*token.Key, error) { return token.NewEd25519Key(`a"b`, ed) }},
		{"kid with a space", func() (*token.Key, error) { return token.NewEd25519Key("a b", ed) }},
		{"kid of 129 bytes", func() (*token.Key, error) { return token.NewEd25519Key(string(make([]byte, 129)), ed) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := tc.make()
			require.ErrorIs(t, err, token.ErrInvalidKey)
			assert.Nil(t, k)
		})
	}
}

func TestKeyAccessors(t *testing.T) {
	f := newFixture(t)
	for kid, want := range map[string]string{"ed1": token.EdDSA, "ec1": token.ES256, "rsa1": token.RS256, "hs1": token.HS256} {
		k := f.keys[kid]
		assert.Equal(t, kid, k.KID())
		assert.Equal(t, want, k.Algorithm())
		assert.True(t, k.CanSign())
	}
	assert.Nil(t, f.keys["hs1"].Public(), "an HMAC key has no public half")
	assert.Equal(t, f.edPriv.Public(), f.keys["ed1"].Public())
	assert.Equal(t, &f.ecPriv.PublicKey, f.keys["ec1"].Public())
}

func TestHMACSecretIsCopied(t *testing.T) {
	secret := make([]byte, 32)
	k, err := token.NewHMACKey("hs", secret)
	require.NoError(t, err)
	set, err := token.NewKeySet(k)
	require.NoError(t, err)
	s, err := token.NewSigner(set, token.Config{})
	require.NoError(t, err)
	v, err := token.NewVerifier(set, token.Config{})
	require.NoError(t, err)
	tok, _, err := s.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.NoError(t, err)
	secret[0] = 1 // the caller reuses its buffer
	_, err = v.Verify(tok)
	require.NoError(t, err)
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func TestParsePEM(t *testing.T) {
	f := newFixture(t)
	pkcs8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		require.NoError(t, err)
		return pemBlock("PRIVATE KEY", der)
	}
	pkix := func(k any) []byte {
		der, err := x509.MarshalPKIXPublicKey(k)
		require.NoError(t, err)
		return pemBlock("PUBLIC KEY", der)
	}
	sec1, err := x509.MarshalECPrivateKey(f.ecPriv)
	require.NoError(t, err)
	ecParams := pemBlock("EC PARAMETERS", []byte{0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07})
	for _, tc := range []struct {
		name    string
		pem     []byte
		alg     string
		canSign bool
		kid     string // the fixture key with the same public half
	}{
		{"PKCS#8 Ed25519", pkcs8(f.edPriv), token.EdDSA, true, "ed1"},
		{"PKCS#8 ECDSA", pkcs8(f.ecPriv), token.ES256, true, "ec1"},
		{"PKCS#8 RSA", pkcs8(f.rsa), token.RS256, true, "rsa1"},
		{"PKCS#1 RSA", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(f.rsa)), token.RS256, true, "rsa1"},
		{"SEC1 ECDSA", pemBlock("EC PRIVATE KEY", sec1), token.ES256, true, "ec1"},
		{"SEC1 ECDSA after EC PARAMETERS", append(ecParams, pemBlock("EC PRIVATE KEY", sec1)...), token.ES256, true, "ec1"},
		{"PKIX Ed25519", pkix(f.edPriv.Public()), token.EdDSA, false, "ed1"},
		{"PKIX ECDSA", pkix(&f.ecPriv.PublicKey), token.ES256, false, "ec1"},
		{"PKIX RSA", pkix(&f.rsa.PublicKey), token.RS256, false, "rsa1"},
		{"PKCS#1 RSA public", pemBlock("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&f.rsa.PublicKey)), token.RS256, false, "rsa1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := token.ParsePEM("loaded", tc.pem)
			require.NoError(t, err)
			assert.Equal(t, "loaded", k.KID())
			assert.Equal(t, tc.alg, k.Algorithm())
			assert.Equal(t, tc.canSign, k.CanSign())
			// The loaded key verifies what the fixture key of the same
			// material signs (under the loaded kid).
			set, err := token.NewKeySet(f.keys["hs1"], k)
			require.NoError(t, err)
			v, err := token.NewVerifier(set, f.cfg)
			require.NoError(t, err)
			material := map[string]any{"ed1": f.edPriv, "ec1": f.ecPriv, "rsa1": f.rsa}[tc.kid]
			_, err = v.Verify(jws(t, tc.alg, material, hdr(tc.alg, "loaded").String(), claims(start).String()))
			require.NoError(t, err)
		})
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		pem  []byte
	}{
		{"empty", nil},
		{"not PEM", []byte("hello")},
		{"certificate request", pemBlock("CERTIFICATE REQUEST", []byte{1, 2})},
		{"garbage PKCS#8", pemBlock("PRIVATE KEY", []byte{1, 2, 3})},
		{"encrypted PKCS#8", pemBlock("ENCRYPTED PRIVATE KEY", []byte{1, 2, 3})},
		{"legacy encrypted", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte{1}})},
		{"P-384", pkcs8(p384)},
		{"only EC PARAMETERS", ecParams},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			k, err := token.ParsePEM("k", tc.pem)
			require.ErrorIs(t, err, token.ErrInvalidKey)
			assert.Nil(t, k)
		})
	}
}

func TestLoadKeyFile(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	der, err := x509.MarshalPKCS8PrivateKey(f.edPriv)
	require.NoError(t, err)
	require.NoError(t, writeFile(dir+"/ed.pem", pemBlock("PRIVATE KEY", der)))
	k, err := token.LoadKeyFile("", dir+"/ed.pem")
	require.NoError(t, err)
	assert.Equal(t, token.EdDSA, k.Algorithm())
	assert.True(t, k.CanSign())

	secret := []byte("0123456789abcdef0123456789abcdef\n")
	require.NoError(t, writeFile(dir+"/secret", secret))
	hs, err := token.LoadKeyFile("hs", dir+"/secret")
	require.NoError(t, err)
	assert.Equal(t, token.HS256, hs.Algorithm())
	// The whole file, newline included, is the secret.
	withNL, err := token.NewHMACKey("", secret)
	require.NoError(t, err)
	fromFile, err := token.LoadKeyFile("", dir+"/secret")
	require.NoError(t, err)
	assert.Equal(t, withNL.KID(), fromFile.KID())

	_, err = token.LoadKeyFile("k", dir+"/missing")
	require.Error(t, err)

	require.NoError(t, writeFile(dir+"/big", make([]byte, 1<<20+1)))
	_, err = token.LoadKeyFile("k", dir+"/big")
	require.ErrorIs(t, err, token.ErrInvalidKey)

	require.NoError(t, writeFile(dir+"/bad.pem", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")))
	_, err = token.LoadKeyFile("k", dir+"/bad.pem")
	require.ErrorIs(t, err, token.ErrInvalidKey)
}

func TestGenerateEd25519(t *testing.T) {
	a, err := token.GenerateEd25519("")
	require.NoError(t, err)
	b, err := token.GenerateEd25519("named")
	require.NoError(t, err)
	assert.Equal(t, token.EdDSA, a.Algorithm())
	assert.True(t, a.CanSign())
	assert.Equal(t, "named", b.KID())
	assert.NotEqual(t, a.Public(), b.Public())
}

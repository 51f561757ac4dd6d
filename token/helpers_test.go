package token_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/token"
)

// start is the fake clock's starting time.
var start = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// fakeClock is the repository's one test clock.
type fakeClock = gatehousetest.Clock

// Generating RSA keys is slow: one per test binary.
var rsaPriv = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// fixture is a key set with one key of each algorithm (kids ed1, ec1,
// rsa1, hs1; ed1 active), a Signer and a Verifier on a fake clock.
type fixture struct {
	clock  *fakeClock
	cfg    token.Config
	edPriv ed25519.PrivateKey
	ecPriv *ecdsa.PrivateKey
	rsa    *rsa.PrivateKey
	secret []byte
	keys   map[string]*token.Key
	set    *token.KeySet
	signer *token.Signer
	ver    *token.Verifier
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{clock: gatehousetest.NewClock(start), rsa: rsaPriv(), keys: map[string]*token.Key{}}
	_, f.edPriv, _ = ed25519.GenerateKey(rand.Reader)
	var err error
	f.ecPriv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	f.secret = make([]byte, 32)
	_, _ = rand.Read(f.secret)

	ed, err := token.NewEd25519Key("ed1", f.edPriv)
	require.NoError(t, err)
	ec, err := token.NewECDSAKey("ec1", f.ecPriv)
	require.NoError(t, err)
	rk, err := token.NewRSAKey("rsa1", f.rsa)
	require.NoError(t, err)
	hs, err := token.NewHMACKey("hs1", f.secret)
	require.NoError(t, err)
	for _, k := range []*token.Key{ed, ec, rk, hs} {
		f.keys[k.KID()] = k
	}
	f.set, err = token.NewKeySet(ed, ec, rk, hs)
	require.NoError(t, err)
	f.cfg = token.Config{Now: f.clock.Now}
	f.signer, err = token.NewSigner(f.set, f.cfg)
	require.NoError(t, err)
	f.ver, err = token.NewVerifier(f.set, f.cfg)
	require.NoError(t, err)
	return f
}

// verifier returns a verifier over the fixture's keys with cfg changed by
// edit.
func (f *fixture) verifier(t testing.TB, edit func(*token.Config)) *token.Verifier {
	t.Helper()
	cfg := f.cfg
	edit(&cfg)
	v, err := token.NewVerifier(f.set, cfg)
	require.NoError(t, err)
	return v
}

// member is one name and raw JSON value of a JSON object.
type member struct{ name, raw string }

type members []member

// with returns ms with name's value replaced by raw (or appended).
func (ms members) with(name, raw string) members {
	out := append(members(nil), ms...)
	for i := range out {
		if out[i].name == name {
			out[i].raw = raw
			return out
		}
	}
	return append(out, member{name, raw})
}

// add appends a member even if the name is already there.
func (ms members) add(name, raw string) members {
	return append(append(members(nil), ms...), member{name, raw})
}

func (ms members) without(name string) members {
	var out members
	for _, m := range ms {
		if m.name != name {
			out = append(out, m)
		}
	}
	return out
}

func (ms members) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(m.name))
		b.WriteByte(':')
		b.WriteString(m.raw)
	}
	b.WriteByte('}')
	return b.String()
}

func num(i int64) string { return strconv.FormatInt(i, 10) }

func hdr(alg, kid string) members {
	return members{{"alg", strconv.Quote(alg)}, {"kid", strconv.Quote(kid)}, {"typ", `"at+jwt"`}}
}

// claims returns valid claims issued now, living one hour.
func claims(now time.Time) members {
	iat := now.Unix()
	return members{
		{"iss", `"gatehouse"`}, {"sub", `"u1"`}, {"aud", `"gatehouse"`},
		{"exp", num(iat + 3600)}, {"nbf", num(iat)}, {"iat", num(iat)},
		{"jti", `"j1"`}, {"sid", `"s1"`}, {"name", `"alice"`},
		{"roles", `["admin"]`}, {"company", `"acme"`},
	}
}

var enc = base64.RawURLEncoding.EncodeToString

// jws joins raw header and payload JSON and signs them with alg and the
// given key material (as golang-jwt's signing methods take it).
func jws(t testing.TB, alg string, material any, header, payload string) string {
	t.Helper()
	in := enc([]byte(header)) + "." + enc([]byte(payload))
	m := jwt.GetSigningMethod(alg)
	require.NotNil(t, m, alg)
	sig, err := m.Sign(in, material)
	require.NoError(t, err)
	return in + "." + enc(sig)
}

// ed signs header and payload with the fixture's Ed25519 key, whatever
// alg the header names.
func (f *fixture) ed(t testing.TB, header, payload members) string {
	return jws(t, "EdDSA", f.edPriv, header.String(), payload.String())
}

// attack is one row of an attack table: a token and the error it must get.
type attack struct {
	name  string
	token func(t testing.TB, f *fixture) string
	v     func(t testing.TB, f *fixture) *token.Verifier // nil: f.ver
	want  error
}

// refuses runs each attack against a fresh fixture and asserts that Verify
// refuses it with the wanted sentinel and returns no claims.
func refuses(t *testing.T, attacks []attack) {
	t.Helper()
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			f := newFixture(t)
			v := f.ver
			if a.v != nil {
				v = a.v(t, f)
			}
			c, err := v.Verify(a.token(t, f))
			require.ErrorIs(t, err, a.want)
			require.Nil(t, c)
		})
	}
}

// accepts asserts that a token built like the attacks verifies, so that
// the attack tables are refused for the reason they name and not because
// the helpers build broken tokens.
func accepts(t *testing.T, f *fixture, tok string) *token.Claims {
	t.Helper()
	c, err := f.ver.Verify(tok)
	require.NoError(t, err)
	return c
}

var (
	b64     = base64.RawURLEncoding.Strict()
	lenient = base64.RawURLEncoding
)

func writeFile(path string, data []byte) error { return os.WriteFile(path, data, 0o600) }

// mustSigner returns a signer whose active key is kid, on a copy of the
// fixture's key set.
func mustSigner(t testing.TB, f *fixture, kid string) *token.Signer {
	t.Helper()
	set, err := token.NewKeySet(f.keys[kid])
	require.NoError(t, err)
	s, err := token.NewSigner(set, f.cfg)
	require.NoError(t, err)
	return s
}

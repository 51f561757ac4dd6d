package bench_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/token"
)

// interopFixture holds one gatehouse token per asymmetric algorithm, signed
// by a key set that holds all of them, and that key set.
type interopFixture struct {
	keys   []algKey
	ks     *token.KeySet
	tokens map[string]string // alg → token
	claims map[string]*token.Claims
}

func newInteropFixture(t *testing.T) *interopFixture {
	t.Helper()
	f := &interopFixture{keys: newAlgKeys(t), tokens: map[string]string{}, claims: map[string]*token.Claims{}}
	f.ks = keySetWith(t, f.keys, 0)
	signer, err := token.NewSigner(f.ks, token.Config{Now: fixedNow})
	require.NoError(t, err)
	for _, k := range f.keys[:3] { // EdDSA, ES256, RS256: the ones a JWKS publishes
		require.NoError(t, f.ks.SetActive(k.key.KID()))
		tok, c, err := signer.Issue(benchIdentity, time.Hour)
		require.NoError(t, err)
		f.tokens[k.alg], f.claims[k.alg] = tok, c
	}
	return f
}

// parseWithJWKS verifies tok with lestrrat-go/jwx using nothing but the JWKS
// document: no Go key object is shared with gatehouse.
func parseWithJWKS(jwks []byte, tok string, now time.Time) (jwxjwt.Token, error) {
	set, err := jwk.Parse(jwks)
	if err != nil {
		return nil, err
	}
	return jwxjwt.Parse([]byte(tok),
		jwxjwt.WithKeySet(set),
		jwxjwt.WithIssuer(token.DefaultService),
		jwxjwt.WithAudience(token.DefaultService),
		jwxjwt.WithClock(jwxjwt.ClockFunc(func() time.Time { return now })),
	)
}

// TestInteropJWX verifies gatehouse tokens for EdDSA, ES256 and RS256 with an
// independent JOSE implementation, from the published JWKS alone, and checks
// the claims it reads.
func TestInteropJWX(t *testing.T) {
	f := newInteropFixture(t)
	jwks, err := f.ks.JWKS()
	require.NoError(t, err)

	set, err := jwk.Parse(jwks)
	require.NoError(t, err)
	assert.Equal(t, 3, set.Len(), "the HMAC key is never published")
	assert.NotContains(t, string(jwks), `"d"`, "no private material")

	now := benchNow.Add(time.Minute)
	for _, alg := range []string{token.EdDSA, token.ES256, token.RS256} {
		t.Run(alg, func(t *testing.T) {
			tok, want := f.tokens[alg], f.claims[alg]
			got, err := parseWithJWKS(jwks, tok, now)
			require.NoError(t, err)

			sub, _ := got.Subject()
			assert.Equal(t, want.Subject, sub)
			var sid string
			require.NoError(t, got.Get("sid", &sid))
			assert.Equal(t, want.SessionID, sid)
			iss, _ := got.Issuer()
			assert.Equal(t, token.DefaultService, iss)
			aud, _ := got.Audience()
			assert.Equal(t, []string{token.DefaultService}, aud)
			exp, ok := got.Expiration()
			require.True(t, ok)
			assert.True(t, exp.Equal(want.ExpiresAt), "exp %v, want %v", exp, want.ExpiresAt)
			jti, _ := got.JwtID()
			assert.Equal(t, want.ID, jti)
		})
	}
}

// TestInteropJWXRefuses shows the interop test can fail: jwx refuses a
// gatehouse token whose key was removed from the JWKS, a tampered token and
// an expired one.
func TestInteropJWXRefuses(t *testing.T) {
	f := newInteropFixture(t)
	full, err := f.ks.JWKS()
	require.NoError(t, err)

	// Retire the ES256 key: the JWKS published afterwards lacks it.
	ec := f.keys[1].key.KID()
	require.NoError(t, f.ks.SetActive(f.keys[0].key.KID()))
	require.NoError(t, f.ks.Remove(ec))
	without, err := f.ks.JWKS()
	require.NoError(t, err)
	require.NotContains(t, string(without), ec)

	// A copy of the EdDSA token with a different subject, same signature.
	parts := strings.Split(f.tokens[token.EdDSA], ".")
	payload, err := json.Marshal(map[string]any{"sub": "admin", "sid": "s1", "iss": "gatehouse", "aud": "gatehouse",
		"iat": benchNow.Unix(), "exp": benchNow.Add(time.Hour).Unix(), "jti": "x"})
	require.NoError(t, err)
	tampered := parts[0] + "." + b64(payload) + "." + parts[2]

	now := benchNow.Add(time.Minute)
	tests := []struct {
		name string
		jwks []byte
		tok  string
		now  time.Time
	}{
		{"key removed from JWKS", without, f.tokens[token.ES256], now},
		{"tampered payload", full, tampered, now},
		{"expired", full, f.tokens[token.RS256], benchNow.Add(2 * time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseWithJWKS(tt.jwks, tt.tok, tt.now)
			assert.Error(t, err)
		})
	}
	// The same tokens still verify where they should, so each refusal above
	// is for the stated reason.
	_, err = parseWithJWKS(full, f.tokens[token.ES256], now)
	assert.NoError(t, err, "ES256 with the full JWKS")
	_, err = parseWithJWKS(without, f.tokens[token.EdDSA], now)
	assert.NoError(t, err, "EdDSA with the JWKS lacking ES256")
}

package token_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/token"
)

func TestIssueRoundTripEveryAlgorithm(t *testing.T) {
	f := newFixture(t)
	id := token.Identity{Subject: "u1", SessionID: "s1", Name: "alice", Roles: []string{"admin", "ops"}, Company: "acme"}
	for _, kid := range []string{"ed1", "ec1", "rsa1", "hs1"} {
		t.Run(kid, func(t *testing.T) {
			tok, issued, err := mustSigner(t, f, kid).Issue(id, time.Hour)
			require.NoError(t, err)
			got, err := f.ver.Verify(tok)
			require.NoError(t, err)
			assert.Equal(t, issued, got)
			assert.Equal(t, id, got.Identity)
			assert.Equal(t, "gatehouse", got.Issuer)
			assert.Equal(t, []string{"gatehouse"}, got.Audience)
			assert.True(t, got.IssuedAt.Equal(start))
			assert.True(t, got.NotBefore.Equal(start))
			assert.True(t, got.ExpiresAt.Equal(start.Add(time.Hour)))
			raw, err := b64.DecodeString(got.ID)
			require.NoError(t, err)
			assert.Len(t, raw, 16, "jti has 128 bits")
		})
	}
}

func TestIssueTTL(t *testing.T) {
	f := newFixture(t)
	id := token.Identity{Subject: "u", SessionID: "s"}
	for _, tc := range []struct {
		ttl, want time.Duration
		msg       string
	}{
		{0, 86400 * time.Second, ""},
		{60 * time.Second, 60 * time.Second, ""},
		{time.Hour, time.Hour, ""},
		{31556926 * time.Second, 31556926 * time.Second, ""},
		{59 * time.Second, 0, "token: ttl 59s out of range 60..31556926 seconds"},
		{31556927 * time.Second, 0, "token: ttl 31556927s out of range 60..31556926 seconds"},
		{-time.Hour, 0, "token: ttl -3600s out of range 60..31556926 seconds"},
		{90*time.Second + time.Millisecond, 0, "token: ttl 1m30.001s is not a whole number of seconds"},
	} {
		t.Run(tc.ttl.String(), func(t *testing.T) {
			// A clock in the middle of a second: iat is truncated, and
			// exp - iat is still exactly the ttl.
			f.clock.Set(start.Add(700 * time.Millisecond))
			tok, c, err := f.signer.Issue(id, tc.ttl)
			if tc.msg != "" {
				require.ErrorIs(t, err, token.ErrTTL)
				assert.EqualError(t, err, tc.msg)
				assert.Empty(t, tok)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.ExpiresAt.Sub(c.IssuedAt))
			var p struct{ Exp, Iat int64 }
			seg, err := b64.DecodeString(strings.Split(tok, ".")[1])
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(seg, &p))
			exp, iat := p.Exp, p.Iat
			assert.Equal(t, int64(tc.want/time.Second), exp-iat)
			assert.Equal(t, start.Unix(), iat)
			_, err = f.ver.Verify(tok)
			require.NoError(t, err)
		})
	}
}

func TestIssueConfigTTL(t *testing.T) {
	f := newFixture(t)
	cfg := f.cfg
	cfg.TTL = 2 * time.Hour
	s, err := token.NewSigner(f.set, cfg)
	require.NoError(t, err)
	_, c, err := s.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.NoError(t, err)
	assert.Equal(t, 2*time.Hour, c.ExpiresAt.Sub(c.IssuedAt))
}

func TestIssueRefusesBadIdentity(t *testing.T) {
	f := newFixture(t)
	for name, id := range map[string]token.Identity{
		"no subject":         {SessionID: "s"},
		"no session":         {Subject: "u"},
		"invalid UTF-8 name": {Subject: "u", SessionID: "s", Name: "\xff"},
		"invalid UTF-8 role": {Subject: "u", SessionID: "s", Roles: []string{"a", "\xc3"}},
		"invalid UTF-8 sub":  {Subject: "\xed\xa0\x80", SessionID: "s"},
	} {
		t.Run(name, func(t *testing.T) {
			tok, c, err := f.signer.Issue(id, 0)
			require.ErrorIs(t, err, token.ErrClaims)
			assert.Empty(t, tok)
			assert.Nil(t, c)
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("entropy exhausted") }

func TestIssueFailsWithoutRandomness(t *testing.T) {
	f := newFixture(t)
	cfg := f.cfg
	cfg.Rand = failingReader{}
	s, err := token.NewSigner(f.set, cfg)
	require.NoError(t, err)
	tok, _, err := s.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.ErrorContains(t, err, "entropy exhausted")
	assert.Empty(t, tok)
}

func TestIssuedClaimsAreACopy(t *testing.T) {
	f := newFixture(t)
	roles := []string{"admin"}
	tok, c, err := f.signer.Issue(token.Identity{Subject: "u", SessionID: "s", Roles: roles}, 0)
	require.NoError(t, err)
	roles[0] = "root"
	assert.Equal(t, []string{"admin"}, c.Roles)
	got, err := f.ver.Verify(tok)
	require.NoError(t, err)
	assert.Equal(t, []string{"admin"}, got.Roles)
}

func TestConfig(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name string
		cfg  token.Config
	}{
		{"ttl under 60s", token.Config{TTL: 30 * time.Second}},
		{"ttl over a year", token.Config{TTL: token.MaxTTL + time.Second}},
		{"ttl fraction", token.Config{TTL: 61500 * time.Millisecond}},
		{"leeway over 5m", token.Config{Leeway: 6 * time.Minute}},
		{"max size 100", token.Config{MaxTokenSize: 100}},
		{"max size 1 MiB", token.Config{MaxTokenSize: 1 << 20}},
		{"negative max size", token.Config{MaxTokenSize: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := token.NewVerifier(f.set, tc.cfg)
			require.ErrorIs(t, err, token.ErrConfig)
			_, err = token.NewSigner(f.set, tc.cfg)
			require.ErrorIs(t, err, token.ErrConfig)
		})
	}
	_, err := token.NewVerifier(nil, token.Config{})
	require.ErrorIs(t, err, token.ErrConfig)
	_, err = token.NewSigner(nil, token.Config{})
	require.ErrorIs(t, err, token.ErrConfig)
}

func TestConfigIssuerAudience(t *testing.T) {
	f := newFixture(t)
	cfg := f.cfg
	cfg.Service = "billing"
	s, err := token.NewSigner(f.set, cfg)
	require.NoError(t, err)
	v, err := token.NewVerifier(f.set, cfg)
	require.NoError(t, err)
	tok, c, err := s.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.NoError(t, err)
	assert.Equal(t, "billing", c.Issuer)
	assert.Equal(t, []string{"billing"}, c.Audience)
	_, err = v.Verify(tok)
	require.NoError(t, err)
	_, err = f.ver.Verify(tok)
	require.ErrorIs(t, err, token.ErrClaims, "a gatehouse verifier refuses billing tokens")

	cfg.Issuer, cfg.Audience = "https://id.example", "api"
	s, err = token.NewSigner(f.set, cfg)
	require.NoError(t, err)
	_, c, err = s.Issue(token.Identity{Subject: "u", SessionID: "s"}, 0)
	require.NoError(t, err)
	assert.Equal(t, "https://id.example", c.Issuer)
	assert.Equal(t, []string{"api"}, c.Audience)
}

// TestGolangJWTAgrees: golang-jwt, pinned to the key's algorithm, accepts
// what Issue produces, and Claims works where golang-jwt wants jwt.Claims.
func TestGolangJWTAgrees(t *testing.T) {
	f := newFixture(t)
	tok, issued, err := f.signer.Issue(token.Identity{Subject: "u1", SessionID: "s1"}, 0)
	require.NoError(t, err)
	parsed, err := jwt.Parse(tok, func(*jwt.Token) (any, error) { return f.edPriv.Public(), nil },
		jwt.WithValidMethods([]string{"EdDSA"}), jwt.WithIssuer("gatehouse"), jwt.WithAudience("gatehouse"),
		jwt.WithExpirationRequired(), jwt.WithIssuedAt(), jwt.WithStrictDecoding(), jwt.WithTimeFunc(f.clock.Now))
	require.NoError(t, err)
	assert.Equal(t, "at+jwt", parsed.Header["typ"])
	assert.Equal(t, "ed1", parsed.Header["kid"])
	m := parsed.Claims.(jwt.MapClaims)
	assert.Equal(t, "s1", m["sid"])
	assert.Equal(t, issued.ID, m["jti"])

	var _ jwt.Claims = issued
	exp, err := issued.GetExpirationTime()
	require.NoError(t, err)
	assert.True(t, exp.Equal(issued.ExpiresAt))
	sub, _ := issued.GetSubject()
	assert.Equal(t, "u1", sub)
	iss, _ := issued.GetIssuer()
	assert.Equal(t, "gatehouse", iss)
	aud, _ := issued.GetAudience()
	assert.Equal(t, jwt.ClaimStrings{"gatehouse"}, aud)
	nbf, _ := issued.GetNotBefore()
	assert.True(t, nbf.Equal(start))
	iat, _ := issued.GetIssuedAt()
	assert.True(t, iat.Equal(start))
	none, _ := (&token.Claims{}).GetNotBefore()
	assert.Nil(t, none)
}

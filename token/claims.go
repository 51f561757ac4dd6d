package token

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Identity is what the session layer puts in a token: who, in which
// session. [Signer.Issue] adds the registered claims around it.
type Identity struct {
	// Subject is the user id ("sub"). Required.
	Subject string
	// SessionID is the id of the session the token belongs to ("sid").
	// Required: the session layer checks on every use that this session
	// is still live, which is how logout and password changes end tokens.
	SessionID string
	// Name is the username ("name"), optional.
	Name string
	// Roles are the user's role codes at issue time ("roles"), optional.
	// They are informative only: permissions are decided from the user's
	// current roles on the server, never from this claim.
	Roles []string
	// Company is the user's company key ("company"), optional.
	Company string
}

// Claims are the claims of a verified (or just issued) token.
//
// Claims implements [jwt.Claims], so it can be handed to code written
// against golang-jwt.
type Claims struct {
	Identity
	// Issuer is "iss": who issued the token.
	Issuer string
	// Audience is "aud": who the token is for. Tokens issued here carry
	// one audience; a verified token may list several.
	Audience []string
	// IssuedAt is "iat", whole seconds.
	IssuedAt time.Time
	// NotBefore is "nbf", whole seconds; zero if the token had none.
	NotBefore time.Time
	// ExpiresAt is "exp", whole seconds.
	ExpiresAt time.Time
	// ID is "jti": 128 random bits in base64url, unique per token.
	ID string
}

var _ jwt.Claims = (*Claims)(nil)

func numericDate(t time.Time) *jwt.NumericDate {
	if t.IsZero() {
		return nil
	}
	return jwt.NewNumericDate(t)
}

// GetExpirationTime implements [jwt.Claims].
func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) { return numericDate(c.ExpiresAt), nil }

// GetIssuedAt implements [jwt.Claims].
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error) { return numericDate(c.IssuedAt), nil }

// GetNotBefore implements [jwt.Claims].
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error) { return numericDate(c.NotBefore), nil }

// GetIssuer implements [jwt.Claims].
func (c *Claims) GetIssuer() (string, error) { return c.Issuer, nil }

// GetSubject implements [jwt.Claims].
func (c *Claims) GetSubject() (string, error) { return c.Subject, nil }

// GetAudience implements [jwt.Claims].
func (c *Claims) GetAudience() (jwt.ClaimStrings, error) { return jwt.ClaimStrings(c.Audience), nil }

// payload is the JSON form of the claims this package issues.
type payload struct {
	Iss     string   `json:"iss"`
	Sub     string   `json:"sub"`
	Aud     string   `json:"aud"`
	Exp     int64    `json:"exp"`
	Nbf     int64    `json:"nbf"`
	Iat     int64    `json:"iat"`
	Jti     string   `json:"jti"`
	Sid     string   `json:"sid"`
	Name    string   `json:"name,omitempty"`
	Roles   []string `json:"roles,omitempty"`
	Company string   `json:"company,omitempty"`
}

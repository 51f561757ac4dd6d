package token

import (
	"crypto/rand"
	"fmt"
	"io"
	"time"
)

// Lifetime bounds and defaults, as the account service sets them.
const (
	// MinTTL is the shortest token lifetime: 60 seconds.
	MinTTL = 60 * time.Second
	// MaxTTL is the longest token lifetime: 31556926 seconds (a year).
	MaxTTL = 31556926 * time.Second
	// DefaultTTL is the lifetime of a token issued with ttl 0: 86400 seconds.
	DefaultTTL = 86400 * time.Second
	// DefaultLeeway is the clock skew allowed when Config.Leeway is zero.
	DefaultLeeway = 30 * time.Second
	// MaxLeeway is the largest leeway a [Config] accepts.
	MaxLeeway = 5 * time.Minute
	// DefaultMaxTokenSize is the length in bytes over which a token is
	// refused unread when Config.MaxTokenSize is zero: 8 KiB.
	DefaultMaxTokenSize = 8 << 10
	// DefaultService is the issuer and audience when Config.Service is empty.
	DefaultService = "gatehouse"
	// Type is the "typ" header of every token issued and verified: an
	// OAuth 2.0 access token in JWT form (RFC 9068). Requiring it keeps a
	// JWT of another kind signed with the same key from passing as an
	// access token.
	Type = "at+jwt"
)

const (
	minTokenSize = 256
	maxTokenSize = 64 << 10
)

// Config holds the knobs of a [Signer] and a [Verifier]. Its zero value
// means defaults throughout; build both from the same Config so that what
// one issues the other accepts.
type Config struct {
	// Service names this service. It is the default Issuer and Audience,
	// so that iss and aud are always issued and always checked. Empty
	// means [DefaultService], "gatehouse".
	Service string
	// Issuer is the "iss" claim issued and required. Empty means Service.
	Issuer string
	// Audience is the "aud" value issued and required (a token whose aud
	// is an array must list it). Empty means Service.
	Audience string
	// TTL is the lifetime of a token issued with ttl 0. Zero means
	// [DefaultTTL]; otherwise it must be whole seconds in MinTTL..MaxTTL.
	TTL time.Duration
	// Leeway is the clock skew tolerated when checking exp, nbf and iat.
	// Zero means [DefaultLeeway] (30 s); a negative value means none;
	// at most [MaxLeeway].
	Leeway time.Duration
	// MaxTokenSize is the length in bytes over which [Verifier.Verify]
	// refuses a token before looking at it. Zero means
	// [DefaultMaxTokenSize] (8 KiB); otherwise 256..65536.
	MaxTokenSize int
	// Now returns the current time. Nil means time.Now. Tests inject a
	// fake clock here.
	Now func() time.Time
	// Rand is the source of token ids (jti). Nil means crypto/rand.Reader.
	// A failing source makes Issue fail; it is never replaced by a weaker
	// one.
	Rand io.Reader
}

// settings is a validated Config with the defaults filled in.
type settings struct {
	issuer, audience string
	ttl, leeway      time.Duration
	maxSize          int
	now              func() time.Time
	rand             io.Reader
}

func (c Config) settings() (settings, error) {
	s := settings{
		issuer:   c.Issuer,
		audience: c.Audience,
		ttl:      c.TTL,
		leeway:   c.Leeway,
		maxSize:  c.MaxTokenSize,
		now:      c.Now,
		rand:     c.Rand,
	}
	service := c.Service
	if service == "" {
		service = DefaultService
	}
	if s.issuer == "" {
		s.issuer = service
	}
	if s.audience == "" {
		s.audience = service
	}
	if s.ttl == 0 {
		s.ttl = DefaultTTL
	}
	if err := checkTTL(s.ttl); err != nil {
		return settings{}, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	switch {
	case s.leeway == 0:
		s.leeway = DefaultLeeway
	case s.leeway < 0:
		s.leeway = 0
	case s.leeway > MaxLeeway:
		return settings{}, fmt.Errorf("%w: leeway %v over %v", ErrConfig, c.Leeway, MaxLeeway)
	}
	if s.maxSize == 0 {
		s.maxSize = DefaultMaxTokenSize
	}
	if s.maxSize < minTokenSize || s.maxSize > maxTokenSize {
		return settings{}, fmt.Errorf("%w: max token size %d out of range %d..%d", ErrConfig, s.maxSize, minTokenSize, maxTokenSize)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s, nil
}

// ttlError reports a lifetime out of bounds; it wraps [ErrTTL].
type ttlError struct{ ttl time.Duration }

func (e ttlError) Error() string {
	if e.ttl%time.Second != 0 {
		return fmt.Sprintf("token: ttl %v is not a whole number of seconds", e.ttl)
	}
	return fmt.Sprintf("token: ttl %ds out of range %d..%d seconds", e.ttl/time.Second, MinTTL/time.Second, MaxTTL/time.Second)
}

func (e ttlError) Unwrap() error { return ErrTTL }

func checkTTL(ttl time.Duration) error {
	if ttl < MinTTL || ttl > MaxTTL || ttl%time.Second != 0 {
		return ttlError{ttl}
	}
	return nil
}

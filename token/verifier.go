package token

import (
	"fmt"
	"slices"
	"time"
)

// Verifier checks access tokens against the keys of a [KeySet]. It is
// safe for concurrent use, pure (no I/O) and decides nothing about
// revocation: the session layer must still check that the token's session
// is live.
type Verifier struct {
	keys *KeySet
	cfg  settings
}

// NewVerifier returns a Verifier over keys with the given configuration
// (the zero Config means defaults). Keys added to or removed from the set
// later take effect at once.
func NewVerifier(keys *KeySet, cfg Config) (*Verifier, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: nil key set", ErrConfig)
	}
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	return &Verifier{keys: keys, cfg: s}, nil
}

// Verify checks tok and returns its claims, or an error wrapping one of
// the sentinels of errors.go. The checks run in this order, and the first
// failure ends the call (see the package documentation, "Verification
// rules"):
//
//  1. length at most Config.MaxTokenSize ([ErrTooLarge]);
//  2. compact form: three non-empty base64url segments, nothing else
//     ([ErrMalformed]);
//  3. header: canonical base64url of UTF-8 JSON with exactly alg, kid and
//     typ "at+jwt" as strings ([ErrMalformed], [ErrHeader]);
//  4. the key of that kid in the set ([ErrUnknownKey]), whose algorithm
//     must be alg ([ErrAlgorithm]);
//  5. the signature ([ErrSignature]);
//  6. the claims, only now decoded ([ErrMalformed], [ErrClaims]), then
//     times against Config.Now with the leeway ([ErrNotYetValid],
//     [ErrExpired]).
func (v *Verifier) Verify(tok string) (*Claims, error) {
	if len(tok) > v.cfg.maxSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(tok), v.cfg.maxSize)
	}
	hseg, pseg, sseg, ok := splitCompact(tok)
	if !ok {
		return nil, fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	hjson, err := decodeSegment(hseg, "header")
	if err != nil {
		return nil, err
	}
	h, err := parseHeader(hjson)
	if err != nil {
		return nil, err
	}
	key, ok := v.keys.Key(h.kid)
	if !ok {
		return nil, ErrUnknownKey
	}
	if h.alg != key.alg {
		return nil, fmt.Errorf("%w: %.20q with key %q (%s)", ErrAlgorithm, h.alg, key.kid, key.alg)
	}
	sig, err := b64.DecodeString(sseg)
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %w", ErrMalformed, err)
	}
	if err := key.method.Verify(tok[:len(hseg)+1+len(pseg)], sig, key.verify); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSignature, err)
	}
	pjson, err := decodeSegment(pseg, "payload")
	if err != nil {
		return nil, err
	}
	c, err := parseClaims(pjson)
	if err != nil {
		return nil, err
	}
	if err := v.check(c); err != nil {
		return nil, err
	}
	return &c.Claims, nil
}

// check applies the claim rules to a decoded, authentic payload.
func (v *Verifier) check(c *claimsSet) error {
	switch {
	case !c.hasIss || c.Issuer != v.cfg.issuer:
		return fmt.Errorf("%w: iss %.64q, want %q", ErrClaims, c.Issuer, v.cfg.issuer)
	case !c.hasAud || !slices.Contains(c.Audience, v.cfg.audience):
		return fmt.Errorf("%w: aud does not contain %q", ErrClaims, v.cfg.audience)
	case c.Subject == "":
		return fmt.Errorf("%w: sub is required", ErrClaims)
	case c.SessionID == "":
		return fmt.Errorf("%w: sid is required", ErrClaims)
	case c.ID == "":
		return fmt.Errorf("%w: jti is required", ErrClaims)
	case !c.hasExp:
		return fmt.Errorf("%w: exp is required", ErrClaims)
	case !c.hasIat:
		return fmt.Errorf("%w: iat is required", ErrClaims)
	}
	if life := c.exp - c.iat; life < int64(MinTTL/time.Second) || life > int64(MaxTTL/time.Second) {
		return fmt.Errorf("%w: exp - iat = %d s, out of range %d..%d", ErrClaims, life, MinTTL/time.Second, MaxTTL/time.Second)
	}
	now := v.cfg.now()
	late := now.Add(v.cfg.leeway) // now, as seen by a clock running ahead
	if c.IssuedAt.After(late) {
		return fmt.Errorf("%w: iat %d is in the future", ErrNotYetValid, c.iat)
	}
	if c.hasNbf && c.NotBefore.After(late) {
		return fmt.Errorf("%w: nbf %d is in the future", ErrNotYetValid, c.nbf)
	}
	if !now.Before(c.ExpiresAt.Add(v.cfg.leeway)) {
		return fmt.Errorf("%w: exp %d", ErrExpired, c.exp)
	}
	return nil
}

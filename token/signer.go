package token

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"
	"unicode/utf8"
)

// Signer issues access tokens signed with the active key of a [KeySet].
// It is safe for concurrent use.
type Signer struct {
	keys *KeySet
	cfg  settings
}

// NewSigner returns a Signer over keys with the given configuration (the
// zero Config means defaults). The key set may change afterwards: each
// Issue signs with the key active at that moment.
func NewSigner(keys *KeySet, cfg Config) (*Signer, error) {
	if keys == nil {
		return nil, fmt.Errorf("%w: nil key set", ErrConfig)
	}
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	return &Signer{keys: keys, cfg: s}, nil
}

// Issue returns a signed token for id that lives ttl, and its claims.
// A ttl of 0 means Config.TTL; otherwise it must be whole seconds in
// [MinTTL]..[MaxTTL] (60..31556926 s), or the error wraps [ErrTTL] and
// names the bounds.
//
// The token's header is {"alg","kid","typ":"at+jwt"} of the active key;
// its claims are iss and aud from the Config, sub, sid, name, roles,
// company from id, iat and nbf set to now (whole seconds), exp exactly
// iat + ttl, and a jti of 128 bits from Config.Rand. id.Subject and
// id.SessionID must be non-empty and every string valid UTF-8 ([ErrClaims]).
func (s *Signer) Issue(id Identity, ttl time.Duration) (string, *Claims, error) {
	if ttl == 0 {
		ttl = s.cfg.ttl
	}
	if err := checkTTL(ttl); err != nil {
		return "", nil, err
	}
	if id.Subject == "" || id.SessionID == "" {
		return "", nil, fmt.Errorf("%w: subject and session id are required", ErrClaims)
	}
	if !validUTF8(id) {
		return "", nil, fmt.Errorf("%w: invalid UTF-8", ErrClaims)
	}
	key := s.keys.Active()
	if key == nil {
		return "", nil, ErrNoSigningKey
	}
	var raw [16]byte
	if _, err := io.ReadFull(s.cfg.rand, raw[:]); err != nil {
		return "", nil, fmt.Errorf("token: read random jti: %w", err)
	}
	iat := s.cfg.now().Unix()
	exp := iat + int64(ttl/time.Second)
	c := &Claims{
		Identity:  id,
		Issuer:    s.cfg.issuer,
		Audience:  []string{s.cfg.audience},
		IssuedAt:  time.Unix(iat, 0),
		NotBefore: time.Unix(iat, 0),
		ExpiresAt: time.Unix(exp, 0),
		ID:        base64.RawURLEncoding.EncodeToString(raw[:]),
	}
	c.Roles = slices.Clone(id.Roles)
	body, err := json.Marshal(payload{
		Iss: c.Issuer, Sub: c.Subject, Aud: s.cfg.audience,
		Exp: exp, Nbf: iat, Iat: iat, Jti: c.ID, Sid: c.SessionID,
		Name: c.Name, Roles: c.Roles, Company: c.Company,
	})
	if err != nil {
		return "", nil, fmt.Errorf("token: encode claims: %w", err)
	}
	signing := key.header + "." + base64.RawURLEncoding.EncodeToString(body)
	sig, err := key.method.Sign(signing, key.sign)
	if err != nil {
		return "", nil, fmt.Errorf("token: sign with key %q: %w", key.kid, err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), c, nil
}

func validUTF8(id Identity) bool {
	for _, r := range id.Roles {
		if !utf8.ValidString(r) {
			return false
		}
	}
	return utf8.ValidString(id.Subject) && utf8.ValidString(id.SessionID) &&
		utf8.ValidString(id.Name) && utf8.ValidString(id.Company)
}

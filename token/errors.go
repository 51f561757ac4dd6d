package token

import "errors"

// Errors returned by [Verifier.Verify]. Test them with errors.Is; the
// returned error wraps exactly one of them, with detail for logs.
//
// They exist so that a caller can log why a token was refused and count
// the reasons. An HTTP layer must answer every one of them the same way
// (401 with one generic body): telling an expired token from a forged one
// helps an attacker, and no error means "refresh": a token that is expired
// and badly signed reports [ErrSignature], never [ErrExpired].
var (
	// ErrTooLarge: the token is longer than Config.MaxTokenSize. Nothing
	// of it was decoded.
	ErrTooLarge = errors.New("token: too large")
	// ErrMalformed: the token is not a compact JWS of three base64url
	// segments (no padding, no whitespace, canonical encoding), or a
	// segment is not valid UTF-8 JSON of the right shape.
	ErrMalformed = errors.New("token: malformed")
	// ErrHeader: the header lacks alg, kid or typ, has a typ other than
	// "at+jwt", or carries any other parameter (crit, cty, enc, zip, jku,
	// x5u, jwk, x5c, ...).
	ErrHeader = errors.New("token: header refused")
	// ErrUnknownKey: the header's kid names no key of the key set.
	ErrUnknownKey = errors.New("token: unknown key")
	// ErrAlgorithm: the header's alg is not the algorithm of the key its
	// kid names.
	ErrAlgorithm = errors.New("token: algorithm not allowed for key")
	// ErrSignature: the signature does not verify.
	ErrSignature = errors.New("token: invalid signature")
	// ErrClaims: a claim is missing, duplicated, of the wrong type, or has
	// a wrong value (iss, aud, lifetime out of bounds, ...).
	ErrClaims = errors.New("token: invalid claims")
	// ErrExpired: the token's exp, plus the leeway, is not after now.
	ErrExpired = errors.New("token: expired")
	// ErrNotYetValid: the token's nbf or iat is after now plus the leeway.
	ErrNotYetValid = errors.New("token: not yet valid")
)

// Errors returned when building keys, key sets, signers and verifiers, and
// when issuing tokens.
var (
	// ErrInvalidKey: key material is unusable: an HMAC secret shorter than
	// 32 bytes, an RSA key under 2048 bits, an ECDSA key not on P-256, an
	// unsupported key type, unparsable PEM, or a malformed kid.
	ErrInvalidKey = errors.New("token: invalid key")
	// ErrDuplicateKey: a key with the same kid is already in the key set.
	ErrDuplicateKey = errors.New("token: duplicate key id")
	// ErrNoSigningKey: the key set has no active key, or the key asked to
	// sign holds no private material.
	ErrNoSigningKey = errors.New("token: no signing key")
	// ErrActiveKey: the active key cannot be removed; rotate first.
	ErrActiveKey = errors.New("token: cannot remove the active key")
	// ErrTTL: a token lifetime outside 60..31556926 seconds, or not a whole
	// number of seconds.
	ErrTTL = errors.New("token: ttl out of range")
	// ErrConfig: a [Config] field is out of its documented range.
	ErrConfig = errors.New("token: invalid config")
)

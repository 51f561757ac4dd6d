// Package token issues and verifies the JWT access tokens of gatehouse.
//
// github.com/golang-jwt/jwt/v5 provides the signing methods only (EdDSA,
// ES256, RS256, HS256: signing and checking a signature over the signing
// input). The compact-form parser and every check below are this package's
// own, in parse.go and verifier.go, because golang-jwt's parser cannot
// express them: it decodes claims case-insensitively and keeps the last
// duplicate, accepts unknown header parameters, and decodes claims before
// the signature is checked.
//
// A token is a compact JWS whose header is {"alg","kid","typ":"at+jwt"}
// and whose claims are sub (user id), sid (session id), name (username),
// roles, company, iss, aud, iat, nbf, exp and jti (see [Claims]). A
// [Signer] issues tokens with [Signer.Issue]; a [Verifier] checks them
// with [Verifier.Verify]. Both take a [KeySet] and a [Config] whose zero
// value means defaults: issuer and audience "gatehouse", lifetime 86400 s
// (bounds 60..31556926 s), leeway 30 s, size limit 8 KiB, time.Now and
// crypto/rand.
//
// The package is pure: no storage, no network, no net/http. A verified
// token proves only that this service issued it and that it has not
// expired; the session layer must still check on every use that its
// session (sid) is live and belongs to sub, which is how logout, password
// changes and revocation end tokens before they expire.
//
// # Keys and rotation
//
// A [Key] has a kid, exactly one algorithm and its material:
//
//   - EdDSA (Ed25519), the default: [GenerateEd25519], [NewEd25519Key];
//   - ES256 (ECDSA on P-256 only): [NewECDSAKey];
//   - RS256 (RSA of 2048 to 8192 bits): [NewRSAKey];
//   - HS256 (a shared secret of at least 32 bytes): [NewHMACKey].
//
// [NewPublicKey] builds a verify-only key from a public key; [ParsePEM]
// reads PKCS#8, PKCS#1, SEC1 and PKIX PEM; [LoadKeyFile] reads a PEM file
// or a raw HMAC secret file. A constructor given an empty kid derives one
// (the RFC 7638 thumbprint for public keys).
//
// A [KeySet] holds one active key, which signs, and any number of others,
// which verify. [KeySet.Rotate] makes a new key active while the old one
// keeps verifying the tokens it signed, so nobody is logged out; once
// those have expired, [KeySet.Remove] retires it. [KeySet.JWKS] publishes
// the public keys (never an HMAC secret, never private material) for
// /.well-known/jwks.json.
//
// # Verification rules
//
// [Verifier.Verify] refuses, in this order:
//
//   - a token longer than Config.MaxTokenSize (8 KiB), before reading any
//     of it, so that a megabyte of dots or a huge header costs nothing;
//   - anything but three non-empty segments of base64url characters
//     separated by two dots: no padding, whitespace, fourth or fifth
//     segment (JWE); then each segment must be the canonical unpadded
//     encoding (strict decoding: a changed last character is refused);
//   - a header or payload that is not valid UTF-8 or not exactly one JSON
//     object, or that repeats a member name, exactly or up to case (the
//     standard JSON decoder, and so golang-jwt, match claim names
//     case-insensitively and keep the last duplicate);
//   - a header with any parameter besides alg, kid and typ: crit, cty,
//     enc, zip, jku, x5u, jwk and x5c are refused, never followed; a typ
//     other than "at+jwt", so a JWT of another kind signed with the same
//     key does not pass; a non-string alg, kid or typ;
//   - a kid that is not in the key set (it is only ever a map key: never a
//     path, a query or a URL);
//   - an alg other than the algorithm of the key its kid names, so "none"
//     in any case, HS256 over a public key (key confusion) and a kid
//     swapped to another key's algorithm all fail; keys are typed, and an
//     HMAC secret is never derived from public key bytes;
//   - a bad signature. Claims are decoded only after the signature
//     verifies, so an expired and badly signed token reports
//     [ErrSignature];
//   - iss other than Config.Issuer, or an aud (string or array of strings)
//     not containing Config.Audience; both are required;
//   - sub, sid or jti missing or not a non-empty string; name, company and
//     roles of the wrong type;
//   - exp or iat missing; numeric dates that are not JSON integers in
//     0..253402300799 (strings, booleans, fractions, 1e300); exp - iat
//     outside 60..31556926 s;
//   - iat or nbf after now + leeway ([ErrNotYetValid]), and now at or after
//     exp + leeway ([ErrExpired]).
//
// Unknown claims are allowed and ignored, so a newer release can add one
// without breaking verification during a rolling upgrade.
//
// ES256 signatures are malleable (s and n-s both verify), so never key a
// revocation list on the token string: revoke by session or jti.
//
// # Errors
//
// Verification errors wrap exactly one of [ErrTooLarge], [ErrMalformed],
// [ErrHeader], [ErrUnknownKey], [ErrAlgorithm], [ErrSignature],
// [ErrClaims], [ErrExpired] and [ErrNotYetValid]; test them with
// errors.Is to log and count refusals. An HTTP layer must answer all of
// them the same way (401, one generic body), and must not treat
// [ErrExpired] as permission to refresh: any error means the token is
// worth nothing.
//
// Building keys, sets, signers and verifiers fails with [ErrInvalidKey],
// [ErrDuplicateKey], [ErrNoSigningKey], [ErrActiveKey] or [ErrConfig];
// a lifetime out of bounds with [ErrTTL].
package token

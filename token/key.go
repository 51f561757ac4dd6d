package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/golang-jwt/jwt/v5"
)

// The algorithms a [Key] can have, as JOSE names them (RFC 7518, RFC 8037).
const (
	// EdDSA is Ed25519 (RFC 8037), the algorithm of generated keys.
	EdDSA = "EdDSA"
	// ES256 is ECDSA on P-256 with SHA-256.
	ES256 = "ES256"
	// RS256 is RSASSA-PKCS1-v1_5 with SHA-256, for RSA keys of 2048 bits or more.
	RS256 = "RS256"
	// HS256 is HMAC-SHA-256, for shared secrets of 32 bytes or more.
	HS256 = "HS256"
)

const (
	// MinHMACSecret is the shortest HMAC secret [NewHMACKey] accepts, in bytes.
	MinHMACSecret = 32
	// MinRSABits is the smallest RSA modulus [NewRSAKey] accepts, in bits.
	MinRSABits = 2048
	// maxRSABits bounds the cost of verification with a configured key.
	maxRSABits = 8192
	// maxKIDLen is the longest kid a key may carry.
	maxKIDLen = 128
)

// Key is one signing or verification key: a kid, the one algorithm it is
// used with, and its material. An asymmetric key built from a public key
// only verifies; one built from a private key also signs. An HMAC key
// always does both.
//
// A Key is immutable and safe for concurrent use. Build one with
// [GenerateEd25519], [NewEd25519Key], [NewECDSAKey], [NewRSAKey],
// [NewHMACKey], [NewPublicKey], [ParsePEM] or [LoadKeyFile].
//
// # Key ids
//
// A kid is 1..128 characters from A-Z a-z 0-9 and "-_.:+". When a
// constructor is given an empty kid it derives one: for an asymmetric key
// the RFC 7638 JWK thumbprint of its public key (43 base64url characters);
// for an HMAC key "hs256-" followed by 22 base64url characters of
// SHA-256("gatehouse token kid\x00" || secret). The derived kid of an HMAC
// secret tells nothing that a token MACed with it does not already tell.
type Key struct {
	kid    string
	alg    string
	method jwt.SigningMethod
	sign   any // private key or HMAC secret; nil for verify-only keys
	verify any // public key or HMAC secret
	// header is the base64url-encoded JOSE header of tokens signed with
	// this key, ready to be joined to a payload.
	header string
}

// KID returns the key id carried in the header of every token the key signs.
func (k *Key) KID() string { return k.kid }

// Algorithm returns the JOSE algorithm of the key: [EdDSA], [ES256],
// [RS256] or [HS256]. A token naming this key verifies only with it.
func (k *Key) Algorithm() string { return k.alg }

// CanSign reports whether the key holds private material (or is an HMAC
// secret) and so can be the active key of a [KeySet].
func (k *Key) CanSign() bool { return k.sign != nil }

// Public returns the public key (ed25519.PublicKey, *ecdsa.PublicKey or
// *rsa.PublicKey), or nil for an HMAC key, which has none.
func (k *Key) Public() crypto.PublicKey {
	if k.alg == HS256 {
		return nil
	}
	return k.verify
}

// GenerateEd25519 returns a new Ed25519 key drawn from crypto/rand. An
// empty kid is derived (see [Key]).
func GenerateEd25519(kid string) (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("token: generate ed25519 key: %w", err)
	}
	return NewEd25519Key(kid, priv)
}

// NewEd25519Key returns a signing key for EdDSA. An empty kid is derived
// (see [Key]).
func NewEd25519Key(kid string, priv ed25519.PrivateKey) (*Key, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("%w: ed25519 private key of %d bytes", ErrInvalidKey, len(priv))
	}
	cp := make(ed25519.PrivateKey, len(priv))
	copy(cp, priv)
	return newKey(kid, EdDSA, cp, cp.Public())
}

// NewECDSAKey returns a signing key for ES256. The key must be on P-256.
// An empty kid is derived (see [Key]).
func NewECDSAKey(kid string, priv *ecdsa.PrivateKey) (*Key, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: nil ecdsa key", ErrInvalidKey)
	}
	if err := checkECDSA(&priv.PublicKey); err != nil {
		return nil, err
	}
	return newKey(kid, ES256, priv, &priv.PublicKey)
}

// NewRSAKey returns a signing key for RS256. The modulus must have 2048
// to 8192 bits. An empty kid is derived (see [Key]).
func NewRSAKey(kid string, priv *rsa.PrivateKey) (*Key, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: nil rsa key", ErrInvalidKey)
	}
	if err := checkRSA(&priv.PublicKey); err != nil {
		return nil, err
	}
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	return newKey(kid, RS256, priv, &priv.PublicKey)
}

// NewHMACKey returns a shared-secret key for HS256. The secret must have
// at least [MinHMACSecret] (32) bytes, drawn from a random source: an
// empty or short secret is refused, because a MAC is only as strong as
// its secret and every token is an offline guessing oracle for it. The
// secret is copied. An empty kid is derived (see [Key]).
//
// An HMAC key is never published by [KeySet.JWKS]: whoever can verify
// with it can also sign.
func NewHMACKey(kid string, secret []byte) (*Key, error) {
	if len(secret) < MinHMACSecret {
		return nil, fmt.Errorf("%w: hmac secret of %d bytes, need at least %d", ErrInvalidKey, len(secret), MinHMACSecret)
	}
	cp := make([]byte, len(secret))
	copy(cp, secret)
	return newKey(kid, HS256, cp, cp)
}

// NewPublicKey returns a verify-only key for a public key:
// ed25519.PublicKey (EdDSA), *ecdsa.PublicKey on P-256 (ES256) or
// *rsa.PublicKey of 2048..8192 bits (RS256). Such a key can verify tokens
// signed by its private half elsewhere, and can never be the active key.
// An empty kid is derived (see [Key]).
func NewPublicKey(kid string, pub crypto.PublicKey) (*Key, error) {
	switch p := pub.(type) {
	case ed25519.PublicKey:
		if len(p) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: ed25519 public key of %d bytes", ErrInvalidKey, len(p))
		}
		cp := make(ed25519.PublicKey, len(p))
		copy(cp, p)
		return newKey(kid, EdDSA, nil, cp)
	case *ecdsa.PublicKey:
		if p == nil {
			break
		}
		if err := checkECDSA(p); err != nil {
			return nil, err
		}
		return newKey(kid, ES256, nil, p)
	case *rsa.PublicKey:
		if p == nil {
			break
		}
		if err := checkRSA(p); err != nil {
			return nil, err
		}
		return newKey(kid, RS256, nil, p)
	}
	return nil, fmt.Errorf("%w: unsupported public key type %T", ErrInvalidKey, pub)
}

func checkECDSA(pub *ecdsa.PublicKey) error {
	if pub.Curve != elliptic.P256() {
		name := "unknown"
		if pub.Curve != nil {
			name = pub.Curve.Params().Name
		}
		return fmt.Errorf("%w: ecdsa curve %s, only P-256 (ES256) is supported", ErrInvalidKey, name)
	}
	if _, err := pub.ECDH(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	return nil
}

func checkRSA(pub *rsa.PublicKey) error {
	if pub.N == nil {
		return fmt.Errorf("%w: empty rsa key", ErrInvalidKey)
	}
	if bits := pub.N.BitLen(); bits < MinRSABits || bits > maxRSABits {
		return fmt.Errorf("%w: rsa key of %d bits, need %d..%d", ErrInvalidKey, bits, MinRSABits, maxRSABits)
	}
	if pub.E < 3 || pub.E%2 == 0 {
		return fmt.Errorf("%w: rsa public exponent %d", ErrInvalidKey, pub.E)
	}
	return nil
}

func newKey(kid, alg string, sign, verify any) (*Key, error) {
	k := &Key{alg: alg, sign: sign, verify: verify}
	switch alg {
	case EdDSA:
		k.method = jwt.SigningMethodEdDSA
	case ES256:
		k.method = jwt.SigningMethodES256
	case RS256:
		k.method = jwt.SigningMethodRS256
	case HS256:
		k.method = jwt.SigningMethodHS256
	}
	if kid == "" {
		kid = k.derivedKID()
	} else if !validKID(kid) {
		return nil, fmt.Errorf("%w: kid must be 1..%d characters of A-Z a-z 0-9 - _ . : +", ErrInvalidKey, maxKIDLen)
	}
	k.kid = kid
	hdr, err := json.Marshal(struct {
		Alg string `json:"alg"`
		KID string `json:"kid"`
		Typ string `json:"typ"`
	}{alg, kid, Type})
	if err != nil {
		return nil, fmt.Errorf("token: encode header: %w", err)
	}
	k.header = base64.RawURLEncoding.EncodeToString(hdr)
	return k, nil
}

func validKID(kid string) bool {
	if len(kid) == 0 || len(kid) > maxKIDLen {
		return false
	}
	for i := 0; i < len(kid); i++ {
		c := kid[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '_' || c == '.' || c == ':' || c == '+':
		default:
			return false
		}
	}
	return true
}

// derivedKID is the RFC 7638 thumbprint of the public JWK, or for an HMAC
// secret a domain-separated hash of it.
func (k *Key) derivedKID() string {
	if k.alg == HS256 {
		h := sha256.New()
		h.Write([]byte("gatehouse token kid\x00"))
		h.Write(k.verify.([]byte))
		return "hs256-" + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:16])
	}
	// RFC 7638 §3.2: required members only, lexicographic order, no
	// whitespace. The values are base64url strings and need no escaping.
	var canon string
	j := k.jwk()
	switch j.Kty {
	case "OKP":
		canon = `{"crv":"` + j.Crv + `","kty":"OKP","x":"` + j.X + `"}`
	case "EC":
		canon = `{"crv":"` + j.Crv + `","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`
	case "RSA":
		canon = `{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`
	}
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// jwk is one public key of a JWKS document (RFC 7517, RFC 7518 §6, RFC 8037).
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	KID string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// jwk returns the public JWK of an asymmetric key. It must not be called
// for HMAC keys.
func (k *Key) jwk() jwk {
	enc := base64.RawURLEncoding.EncodeToString
	j := jwk{KID: k.kid, Alg: k.alg, Use: "sig"}
	switch p := k.verify.(type) {
	case ed25519.PublicKey:
		j.Kty, j.Crv, j.X = "OKP", "Ed25519", enc(p)
	case *ecdsa.PublicKey:
		e, _ := p.ECDH() // checked at construction
		b := e.Bytes()   // 0x04 || X || Y, 32 bytes each on P-256
		j.Kty, j.Crv, j.X, j.Y = "EC", "P-256", enc(b[1:33]), enc(b[33:65])
	case *rsa.PublicKey:
		j.Kty, j.N, j.E = "RSA", enc(p.N.Bytes()), enc(big.NewInt(int64(p.E)).Bytes())
	}
	return j
}

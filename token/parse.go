package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// b64 decodes base64url without padding, refusing non-zero trailing bits,
// so that every segment has exactly one encoding (RFC 7515 §2, RFC 4648
// §3.5). Characters outside the alphabet, including the newlines the
// standard decoder skips, are refused earlier by splitCompact.
var b64 = base64.RawURLEncoding.Strict()

// maxMembers bounds the number of members in a header or claims object.
const maxMembers = 64

// latestDate is the last second of year 9999: numeric dates after it are
// refused as absurd.
const latestDate = 253402300799

// splitCompact splits a JWS compact serialisation into its three
// segments. It refuses anything but exactly two dots around three
// non-empty runs of base64url characters: no padding, no whitespace, no
// fourth or fifth segment (JWE).
func splitCompact(tok string) (header, payload, sig string, ok bool) {
	dot1, dot2 := -1, -1
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		case c == '.':
			switch {
			case dot1 < 0:
				dot1 = i
			case dot2 < 0:
				dot2 = i
			default:
				return "", "", "", false
			}
		default:
			return "", "", "", false
		}
	}
	if dot1 <= 0 || dot2 <= dot1+1 || dot2 == len(tok)-1 {
		return "", "", "", false
	}
	return tok[:dot1], tok[dot1+1 : dot2], tok[dot2+1:], true
}

// decodeSegment decodes one base64url segment that must hold UTF-8 JSON.
func decodeSegment(seg, what string) ([]byte, error) {
	b, err := b64.DecodeString(seg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: %s is not valid UTF-8", ErrMalformed, what)
	}
	return b, nil
}

// errDuplicate marks a member name seen twice, exactly or up to case.
var errDuplicate = errors.New("duplicate member")

// decodeObject decodes data, which must be exactly one JSON object, and
// calls fn with each member's name and value (numbers as json.Number).
// Two names equal up to case are refused with errDuplicate: golang-jwt and
// encoding/json match struct fields case-insensitively, so {"sub":"a",
// "SUB":"b"} must never reach anyone. Syntax errors wrap ErrMalformed.
func decodeObject(data []byte, fn func(name string, v any) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	t, err := dec.Token()
	if err != nil || t != json.Delim('{') {
		return fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var seenBuf [16]string
	seen := seenBuf[:0]
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		name := t.(string) // object keys are always strings
		for _, s := range seen {
			if strings.EqualFold(s, name) {
				return fmt.Errorf("%w %q", errDuplicate, name)
			}
		}
		if len(seen) == maxMembers {
			return fmt.Errorf("%w: over %d members", ErrMalformed, maxMembers)
		}
		seen = append(seen, name)
		var v any
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		if err := fn(name, v); err != nil {
			return err
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return fmt.Errorf("%w: unterminated object", ErrMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%w: data after the object", ErrMalformed)
	}
	return nil
}

// header is the JOSE header of a token. Only these three parameters are
// allowed.
type header struct {
	alg, kid, typ string
}

func parseHeader(data []byte) (header, error) {
	var h header
	var got int
	err := decodeObject(data, func(name string, v any) error {
		s, ok := v.(string)
		var dst *string
		switch name {
		case "alg":
			dst = &h.alg
		case "kid":
			dst = &h.kid
		case "typ":
			dst = &h.typ
		default:
			return fmt.Errorf("%w: parameter %q not allowed", ErrHeader, name)
		}
		if !ok {
			return fmt.Errorf("%w: %s is not a string", ErrHeader, name)
		}
		*dst = s
		got++
		return nil
	})
	switch {
	case errors.Is(err, errDuplicate):
		return header{}, fmt.Errorf("%w: %w", ErrHeader, err)
	case err != nil:
		return header{}, err
	case got != 3:
		return header{}, fmt.Errorf("%w: alg, kid and typ are required", ErrHeader)
	case h.typ != Type:
		return header{}, fmt.Errorf("%w: typ %q, want %q", ErrHeader, h.typ, Type)
	}
	return h, nil
}

// claimsSet is the decoded payload with what was present.
type claimsSet struct {
	Claims
	iat, nbf, exp          int64
	hasIat, hasNbf, hasExp bool
	hasIss, hasAud         bool
}

func parseClaims(data []byte) (*claimsSet, error) {
	c := &claimsSet{}
	err := decodeObject(data, func(name string, v any) error {
		var err error
		switch name {
		case "iss":
			c.Issuer, err = claimString(name, v)
			c.hasIss = true
		case "sub":
			c.Subject, err = claimString(name, v)
		case "sid":
			c.SessionID, err = claimString(name, v)
		case "jti":
			c.ID, err = claimString(name, v)
		case "name":
			c.Name, err = claimString(name, v)
		case "company":
			c.Company, err = claimString(name, v)
		case "roles":
			c.Roles, err = claimStrings(name, v)
		case "aud":
			c.hasAud = true
			if s, ok := v.(string); ok {
				c.Audience = []string{s}
			} else {
				c.Audience, err = claimStrings(name, v)
			}
		case "iat":
			c.iat, err = claimDate(name, v)
			c.hasIat = true
		case "nbf":
			c.nbf, err = claimDate(name, v)
			c.hasNbf = true
		case "exp":
			c.exp, err = claimDate(name, v)
			c.hasExp = true
		}
		// Other claims are allowed and ignored, so that tokens of a newer
		// version verify during a rolling upgrade.
		return err
	})
	if errors.Is(err, errDuplicate) {
		return nil, fmt.Errorf("%w: %w", ErrClaims, err)
	}
	if err != nil {
		return nil, err
	}
	c.IssuedAt = time.Unix(c.iat, 0)
	c.ExpiresAt = time.Unix(c.exp, 0)
	if c.hasNbf {
		c.NotBefore = time.Unix(c.nbf, 0)
	}
	return c, nil
}

func claimString(name string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: %s is not a string", ErrClaims, name)
	}
	return s, nil
}

func claimStrings(name string, v any) ([]string, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s is not an array of strings", ErrClaims, name)
	}
	out := make([]string, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%w: %s is not an array of strings", ErrClaims, name)
		}
		out[i] = s
	}
	return out, nil
}

// claimDate accepts a NumericDate written as a JSON integer in
// 0..latestDate. Fractions, exponents, strings, booleans and null are
// refused: this package issues whole seconds only.
func claimDate(name string, v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%w: %s is not a number", ErrClaims, name)
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || i < 0 || i > latestDate {
		return 0, fmt.Errorf("%w: %s %.40s is not an integer date", ErrClaims, name, n)
	}
	return i, nil
}

package token

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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

// decodeSegment decodes one base64url segment.
func decodeSegment(seg, what string) ([]byte, error) {
	b, err := b64.DecodeString(seg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, what, err)
	}
	return b, nil
}

// errDuplicate marks a member name seen twice, exactly or up to case.
var errDuplicate = errors.New("duplicate member")

// decodeObject checks that data is exactly one valid UTF-8 JSON object and calls
// fn with each member's decoded name and raw value, in order. Two names
// equal up to case (after unescaping) are refused with errDuplicate:
// encoding/json, and so golang-jwt, match struct fields
// case-insensitively and keep the last duplicate, so {"sub":"a",
// "SUB":"b"} must never reach anyone. Syntax errors wrap ErrMalformed.
//
// json.Valid checks the syntax first; the scan below then only finds
// member boundaries, without allocating per token as json.Decoder does.
func decodeObject(data []byte, fn func(name string, raw []byte) error) error {
	if !utf8.Valid(data) {
		// encoding/json would silently turn bad bytes into U+FFFD.
		return fmt.Errorf("%w: invalid UTF-8", ErrMalformed)
	}
	if !json.Valid(data) {
		return fmt.Errorf("%w: invalid JSON", ErrMalformed)
	}
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	i = skipSpace(data, i+1)
	var seenBuf [16]string
	seen := seenBuf[:0]
	for i < len(data) && data[i] == '"' {
		end := skipString(data, i)
		name, err := stringValue(data[i:end])
		if err != nil {
			return err
		}
		for _, s := range seen {
			if strings.EqualFold(s, name) {
				return fmt.Errorf("%w %q", errDuplicate, name)
			}
		}
		if len(seen) == maxMembers {
			return fmt.Errorf("%w: over %d members", ErrMalformed, maxMembers)
		}
		seen = append(seen, name)
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return fmt.Errorf("%w: invalid JSON", ErrMalformed)
		}
		i = skipSpace(data, i+1)
		vend := skipValue(data, i)
		if err := fn(name, data[i:vend]); err != nil {
			return err
		}
		i = skipSpace(data, vend)
		if i < len(data) && data[i] == ',' {
			i = skipSpace(data, i+1)
		}
	}
	// json.Valid guarantees the object closes here and nothing follows
	// but white space.
	return nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string that starts at data[i].
func skipString(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(data)
}

// skipValue returns the index after the value that starts at data[i].
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				j = skipString(data, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(data)
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != '}' && data[j] != ']' &&
		data[j] != ' ' && data[j] != '\t' && data[j] != '\n' && data[j] != '\r' {
		j++
	}
	return j
}

// stringValue decodes a raw JSON string (quotes included).
func stringValue(raw []byte) (string, error) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", fmt.Errorf("%w: invalid JSON", ErrMalformed)
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return s, nil
}

// header is the JOSE header of a token. Only these three parameters are
// allowed.
type header struct {
	alg, kid, typ string
}

func parseHeader(data []byte) (header, error) {
	var h header
	var got int
	err := decodeObject(data, func(name string, raw []byte) error {
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
		if raw[0] != '"' {
			return fmt.Errorf("%w: %s is not a string", ErrHeader, name)
		}
		s, err := stringValue(raw)
		*dst = s
		got++
		return err
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
	err := decodeObject(data, func(name string, v []byte) error {
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
			if v[0] == '"' {
				var s string
				s, err = stringValue(v)
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

func claimString(name string, raw []byte) (string, error) {
	if raw[0] != '"' {
		return "", fmt.Errorf("%w: %s is not a string", ErrClaims, name)
	}
	return stringValue(raw)
}

func claimStrings(name string, raw []byte) ([]string, error) {
	if raw[0] != '[' {
		return nil, fmt.Errorf("%w: %s is not an array of strings", ErrClaims, name)
	}
	var out []string
	i := skipSpace(raw, 1)
	for i < len(raw) && raw[i] != ']' {
		if raw[i] != '"' {
			return nil, fmt.Errorf("%w: %s is not an array of strings", ErrClaims, name)
		}
		end := skipString(raw, i)
		s, err := stringValue(raw[i:end])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out, nil
}

// claimDate accepts a NumericDate written as a JSON integer in
// 0..latestDate. Fractions, exponents, strings, booleans and null are
// refused: this package issues whole seconds only.
func claimDate(name string, raw []byte) (int64, error) {
	i, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || i < 0 || i > latestDate {
		return 0, fmt.Errorf("%w: %s %.40q is not an integer date", ErrClaims, name, raw)
	}
	return i, nil
}

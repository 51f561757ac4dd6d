// Package strictjson checks a JSON text for what encoding/json lets
// through silently: invalid UTF-8 and lone UTF-16 surrogate escapes (both
// decoded as U+FFFD), and member names repeated in one object, exactly or
// up to case (encoding/json matches struct fields case-insensitively and
// keeps the last, so {"username":"x","USERNAME":"alice"} would decode as
// alice).
//
// [Check] runs before json.Unmarshal; it does not replace it: a text it
// accepts may still be malformed JSON, which the decoder then reports.
// [KindName] words a decoder's type error.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidUTF8 is returned for a text that is not valid UTF-8, or whose
// strings escape a lone surrogate (\ud800 without its pair).
var ErrInvalidUTF8 = errors.New("strictjson: invalid UTF-8")

// DuplicateError is returned for a member name given twice in one object.
type DuplicateError struct {
	// Path is the object's place in the text ("" for the top level,
	// "a.b" or "a[2]" below it).
	Path string
	// Name is the later spelling, First the earlier one (equal to Name,
	// or equal up to case).
	Name, First string
}

// Error names the member and, when the spellings differ, both of them.
func (e *DuplicateError) Error() string {
	name := e.Name
	if e.Path != "" {
		name = e.Path + "." + e.Name
	}
	if e.Name == e.First {
		return fmt.Sprintf("%s: given more than once", name)
	}
	return fmt.Sprintf("%s: given more than once (equal to %q up to case)", name, e.First)
}

// Check reports the first problem of data: [ErrInvalidUTF8], or a
// *[DuplicateError]. A syntax error is left to the decoder: Check returns
// nil for it.
func Check(data []byte) error {
	if !utf8.Valid(data) || loneSurrogate(data) {
		return ErrInvalidUTF8
	}
	return duplicates(data)
}

// MaxDepth is the deepest nesting Check walks, as encoding/json refuses
// deeper texts (10000): a deeper text is left to the decoder, which
// refuses it, so that a body of a million brackets costs one pass.
const MaxDepth = 10000

// frame is one open object or array of the walk. Its path is built only
// for an error, from the parent chain, so the walk stays linear.
type frame struct {
	object  bool
	parent  *frame
	names   map[string]string // folded name → first spelling
	wantKey bool
	index   int
	key     string // the member whose value is being read
}

// path is the place of f's value in the text ("" for the top level).
func (f *frame) path() string {
	if f == nil || f.parent == nil {
		return ""
	}
	p := f.parent
	base := p.path()
	switch {
	case p.object && base == "":
		return p.key
	case p.object:
		return base + "." + p.key
	}
	return fmt.Sprintf("%s[%d]", base, p.index)
}

// duplicates walks data's tokens and reports a member name repeated in
// one object.
func duplicates(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return nil // a syntax error: the decoder reports it
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.wantKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				valueDone(stack)
				continue
			}
			name, _ := tok.(string)
			k := fold(name)
			if first, seen := top.names[k]; seen {
				return &DuplicateError{Path: top.path(), Name: name, First: first}
			}
			top.names[k] = name
			top.wantKey, top.key = false, name
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if len(stack) >= MaxDepth {
				return nil // too deep: the decoder refuses it
			}
			f := &frame{object: tok == json.Delim('{'), parent: top}
			if f.object {
				f.names, f.wantKey = make(map[string]string), true
			}
			stack = append(stack, f)
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone(stack)
		default:
			valueDone(stack)
		}
	}
}

// valueDone records that a value of the innermost open object or array
// ended.
func valueDone(stack []*frame) {
	if len(stack) == 0 {
		return
	}
	top := stack[len(stack)-1]
	if top.object {
		top.wantKey = true
	} else {
		top.index++
	}
}

// fold maps s to a key that two names share exactly when strings.EqualFold
// says they are equal: every rune becomes the smallest rune of its
// simple-folding orbit (so "K", "k" and the Kelvin sign U+212A agree).
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			m = min(m, f)
		}
		b.WriteRune(m)
	}
	return b.String()
}

// loneSurrogate reports whether a string of data escapes a UTF-16
// surrogate that is not part of a high-low pair.
func loneSurrogate(data []byte) bool {
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			if c == '"' {
				inString = true
			}
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 < len(data) && data[i+1] == 'u' {
				r, ok := hex4(data, i+2)
				if !ok {
					return false // malformed: the decoder reports it
				}
				switch {
				case r >= 0xD800 && r < 0xDC00:
					lo, ok := -1, false
					if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
						lo, ok = hex4(data, i+8)
					}
					if !ok || lo < 0xDC00 || lo >= 0xE000 {
						return true
					}
					i += 11
				case r >= 0xDC00 && r < 0xE000:
					return true
				default:
					i += 5
				}
			} else {
				i++ // skip the escaped character
			}
		}
	}
	return false
}

// hex4 reads four hex digits at data[i:].
func hex4(data []byte, i int) (int, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	v := 0
	for _, c := range data[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | int(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// KindName names the JSON kind a Go type decodes from, for error messages
// such as "ttl_seconds: must be an integer, not JSON string".
func KindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "of another type"
}

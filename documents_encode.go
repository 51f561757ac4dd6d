package gatehouse

import (
	"encoding/json"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
)

// This file encodes the session document by hand, for GET /session. Its
// output is byte for byte what encoding/json makes of a SessionDocument
// (SessionDocument.MarshalJSON, then json.Marshal's compaction): object
// keys sorted bytewise, strings escaped as encoding/json escapes them with
// HTML escaping on (<, > and & as \u003c, \u003e and \u0026, U+2028 and
// U+2029 as \u2028 and \u2029, invalid UTF-8 as \ufffd), nil slices as
// []. documents_encode_test.go holds it to that over random documents.

// infoKeys are the fixed keys of sessioninfo, sorted; they win over an
// attribute of the same name.
var infoKeys = [...]string{"bp_process_roles_list", "email", "id", "lang", "login", "title"}

// isInfoKey reports whether k is one of infoKeys.
func isInfoKey(k string) bool {
	switch k {
	case "bp_process_roles_list", "email", "id", "lang", "login", "title":
		return true
	}
	return false
}

// isDocumentKey reports whether k is one of the document keys that
// gatehouse fills.
func isDocumentKey(k string) bool {
	switch k {
	case keySessionInfo, keySessionRoles, keySessionRoleParams, keySessionParameters:
		return true
	}
	return false
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaped exactly as
// encoding/json escapes a string with HTML escaping on.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				// Other control characters, and <, > and &.
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendJSONStrings appends ss as a JSON array of strings; nil is [].
func appendJSONStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// appendRoleRefs appends the session_roles array of the role codes.
func appendRoleRefs(dst []byte, codes []string) []byte {
	dst = append(dst, '[')
	for i, c := range codes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"code":`...)
		dst = appendJSONString(dst, c)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendRoleParams appends the session_role_params array.
func appendRoleParams(dst []byte, params []permissions.Param) []byte {
	dst = append(dst, '[')
	for i, p := range params {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"code":`...)
		dst = appendJSONString(dst, p.Code)
		dst = append(dst, `,"value":`...)
		dst = appendJSONString(dst, p.Value)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendParameter appends one entry of session_parameters, as
// storage.Parameter encodes (title omitted when empty) with value as its
// value.
func appendParameter(dst []byte, p *storage.Parameter, value string) []byte {
	dst = append(dst, `{"code":`...)
	dst = appendJSONString(dst, p.Code)
	if p.Title != "" {
		dst = append(dst, `,"title":`...)
		dst = appendJSONString(dst, p.Title)
	}
	dst = append(dst, `,"value":`...)
	dst = appendJSONString(dst, value)
	return append(dst, '}')
}

// appendSessionInfo appends the sessioninfo object of s, whose
// bp_process_roles_list is specifics, already encoded (a JSON array).
func appendSessionInfo(dst []byte, s *SessionInfo, specifics []byte) []byte {
	var buf [16]string
	keys := buf[:0]
	for k := range s.Attributes {
		if !isInfoKey(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	first := true
	field := func(dst []byte, k string) []byte {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, k)
		return append(dst, ':')
	}
	f := 0 // the next of infoKeys
	for _, k := range keys {
		for ; f < len(infoKeys) && infoKeys[f] < k; f++ {
			dst = appendInfoKey(field(dst, infoKeys[f]), s, f, specifics)
		}
		dst = appendJSONString(field(dst, k), s.Attributes[k])
	}
	for ; f < len(infoKeys); f++ {
		dst = appendInfoKey(field(dst, infoKeys[f]), s, f, specifics)
	}
	return append(dst, '}')
}

// appendInfoKey appends the value of infoKeys[f] in s.
func appendInfoKey(dst []byte, s *SessionInfo, f int, specifics []byte) []byte {
	switch infoKeys[f] {
	case "bp_process_roles_list":
		return append(dst, specifics...)
	case "email":
		return appendJSONString(dst, s.Email)
	case "id":
		return appendJSONString(dst, s.ID)
	case "lang":
		return appendJSONString(dst, s.Lang)
	case "login":
		return appendJSONString(dst, s.Login)
	default: // "title"
		return appendJSONString(dst, s.Title)
	}
}

// documentParts are the encoded values of the session document's keys
// other than the host's sections.
type documentParts struct {
	info, roles, roleParams, parameters []byte
}

// appendDocument appends the session document: the four keys gatehouse
// fills, from parts, and the host's sections, names[i] encoded as
// values[i], all in key order. names must be sorted; a name of a fixed key
// is dropped, as SessionDocument.MarshalJSON drops it. A value that
// encoding/json cannot encode is an error naming its section.
func appendDocument(dst []byte, parts *documentParts, names []string, values []any) ([]byte, error) {
	fixed := [...]struct {
		key string
		val []byte
	}{ // sorted
		{keySessionParameters, parts.parameters},
		{keySessionRoleParams, parts.roleParams},
		{keySessionRoles, parts.roles},
		{keySessionInfo, parts.info},
	}
	dst = append(dst, '{')
	first := true
	field := func(dst []byte, k string) []byte {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, k)
		return append(dst, ':')
	}
	f := 0
	for i, name := range names {
		if isDocumentKey(name) {
			continue
		}
		for ; f < len(fixed) && fixed[f].key < name; f++ {
			dst = append(field(dst, fixed[f].key), fixed[f].val...)
		}
		b, err := json.Marshal(values[i])
		if err != nil {
			return nil, &sectionError{name: name, err: err}
		}
		dst = append(field(dst, name), b...)
	}
	for ; f < len(fixed); f++ {
		dst = append(field(dst, fixed[f].key), fixed[f].val...)
	}
	return append(dst, '}'), nil
}

// appendSessionDocument appends d encoded as json.Marshal(d) encodes it,
// faster; sections are still encoded with encoding/json.
func appendSessionDocument(dst []byte, d *SessionDocument) ([]byte, error) {
	var parts documentParts
	var scratch []byte
	scratch = appendJSONStrings(scratch, d.Info.Specifics)
	parts.info = appendSessionInfo(nil, &d.Info, scratch)
	codes := make([]string, len(d.Roles))
	for i, r := range d.Roles {
		codes[i] = r.Code
	}
	parts.roles = appendRoleRefs(nil, codes)
	parts.roleParams = appendRoleParams(nil, d.RoleParams)
	p := []byte{'['}
	for i := range d.Parameters {
		if i > 0 {
			p = append(p, ',')
		}
		p = appendParameter(p, &d.Parameters[i], d.Parameters[i].Value)
	}
	parts.parameters = append(p, ']')
	names := slices.Sorted(maps.Keys(d.Sections))
	values := make([]any, len(names))
	for i, n := range names {
		values[i] = d.Sections[n]
	}
	return appendDocument(dst, &parts, names, values)
}

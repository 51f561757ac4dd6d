package gatehouse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The OpenAPI document has one source, api/openapi.json. Its YAML form,
// /docs/openapi.yaml, is derived from it by jsonToYAML, a small emitter for
// the JSON data model (objects, arrays, strings, numbers, booleans, null)
// that keeps the key order, so that the core module needs no YAML library.
// Its output is block-style YAML 1.2 that YAML 1.1 parsers read the same
// way: a string is written plain only when no YAML version could take it
// for anything else, and double-quoted with JSON's escapes (which are YAML
// escapes too) otherwise.

// yamlNode is a decoded JSON value with its object keys in order.
type yamlNode struct {
	kind  yamlKind
	keys  []string    // object keys, in document order
	items []*yamlNode // object values (parallel to keys) or array items
	text  string      // a string's value, or a number, bool or null literal
}

type yamlKind uint8

const (
	yamlString yamlKind = iota
	yamlLiteral
	yamlObject
	yamlArray
)

// maxYAMLDepth bounds nesting; the embedded document is far below it.
const maxYAMLDepth = 64

// jsonToYAML re-encodes one JSON document as YAML with the same data.
func jsonToYAML(src []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	n, err := readYAMLNode(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data after the JSON value")
	}
	var b bytes.Buffer
	switch {
	case n.kind == yamlObject && len(n.keys) > 0:
		writeYAMLObject(&b, n, 0, false)
	case n.kind == yamlArray && len(n.items) > 0:
		writeYAMLArray(&b, n, 0)
	default:
		b.WriteString(yamlScalar(n))
		b.WriteByte('\n')
	}
	return b.Bytes(), nil
}

func readYAMLNode(dec *json.Decoder, depth int) (*yamlNode, error) {
	if depth > maxYAMLDepth {
		return nil, errors.New("JSON nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		n := &yamlNode{kind: yamlArray}
		if t == '{' {
			n.kind = yamlObject
		}
		for dec.More() {
			if n.kind == yamlObject {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			v, err := readYAMLNode(dec, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return n, nil
	case string:
		return &yamlNode{kind: yamlString, text: t}, nil
	case json.Number:
		return &yamlNode{kind: yamlLiteral, text: t.String()}, nil
	case bool:
		return &yamlNode{kind: yamlLiteral, text: strconv.FormatBool(t)}, nil
	case nil:
		return &yamlNode{kind: yamlLiteral, text: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok)
}

// writeYAMLObject writes a non-empty object as a block mapping at indent;
// inline means the first key follows a sequence's "- " already written.
func writeYAMLObject(b *bytes.Buffer, n *yamlNode, indent int, inline bool) {
	for i, k := range n.keys {
		if i > 0 || !inline {
			b.WriteString(strings.Repeat(" ", indent))
		}
		b.WriteString(yamlText(k))
		b.WriteByte(':')
		writeYAMLValue(b, n.items[i], indent+2)
	}
}

// writeYAMLArray writes a non-empty array as a block sequence at indent.
func writeYAMLArray(b *bytes.Buffer, n *yamlNode, indent int) {
	pad := strings.Repeat(" ", indent)
	for _, it := range n.items {
		b.WriteString(pad)
		b.WriteByte('-')
		switch {
		case it.kind == yamlObject && len(it.keys) > 0:
			b.WriteByte(' ')
			writeYAMLObject(b, it, indent+2, true)
		case it.kind == yamlArray && len(it.items) > 0:
			b.WriteByte('\n')
			writeYAMLArray(b, it, indent+2)
		default:
			b.WriteByte(' ')
			b.WriteString(yamlScalar(it))
			b.WriteByte('\n')
		}
	}
}

// writeYAMLValue writes the value of a mapping key (after its colon).
func writeYAMLValue(b *bytes.Buffer, n *yamlNode, indent int) {
	switch {
	case n.kind == yamlObject && len(n.keys) > 0:
		b.WriteByte('\n')
		writeYAMLObject(b, n, indent, false)
	case n.kind == yamlArray && len(n.items) > 0:
		b.WriteByte('\n')
		writeYAMLArray(b, n, indent)
	default:
		b.WriteByte(' ')
		b.WriteString(yamlScalar(n))
		b.WriteByte('\n')
	}
}

// yamlScalar writes a scalar or an empty collection in flow style.
func yamlScalar(n *yamlNode) string {
	switch n.kind {
	case yamlObject:
		return "{}"
	case yamlArray:
		return "[]"
	case yamlString:
		return yamlText(n.text)
	}
	return n.text
}

// yamlText writes s plain when that is unambiguous in YAML 1.1 and 1.2,
// double-quoted otherwise.
func yamlText(s string) string {
	if yamlPlainSafe(s) {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// yamlPlainSafe reports whether s may be written as a plain scalar: it
// starts with a letter, '_', '$' or '/', holds only letters, digits and
// "_./$-", and is none of the words YAML 1.1 reads as a boolean or null.
func yamlPlainSafe(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '$' || c == '/'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '.' && c != '-' {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "n", "yes", "no", "on", "off", "true", "false", "null":
		return false
	}
	return true
}

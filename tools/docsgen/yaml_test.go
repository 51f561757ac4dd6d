package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONToYAML(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"scalars at the top", `"x"`, "x\n"},
		{"number", `12.50`, "12.50\n"},
		{"empty object", `{}`, "{}\n"},
		{"empty array", `[]`, "[]\n"},
		{"keeps key order", `{"b":1,"a":true,"c":null}`, "b: 1\na: true\nc: null\n"},
		{"nested object", `{"a":{"b":{"c":"d"}}}`, "a:\n  b:\n    c: d\n"},
		{"empty collections as values", `{"a":{},"b":[]}`, "a: {}\nb: []\n"},
		{"array of scalars", `{"a":["x",1,false]}`, "a:\n  - x\n  - 1\n  - false\n"},
		{"array of objects", `[{"a":1,"b":2},{"c":3}]`, "- a: 1\n  b: 2\n- c: 3\n"},
		// The YAML library writes a sequence in a sequence compactly ("- - 1");
		// the hand-written emitter this replaces wrote "-\n  - 1". Same value.
		{"array of arrays", `[[1,2],[]]`, "- - 1\n  - 2\n- []\n"},
		{"object in object in array", `[{"a":{"b":1}}]`, "- a:\n    b: 1\n"},
		{"status codes are strings", `{"200":"ok"}`, "\"200\": ok\n"},
		{"numeric strings stay strings", `["1","1.5","3.1.0","-1"]`, "- \"1\"\n- \"1.5\"\n- \"3.1.0\"\n- \"-1\"\n"},
		{"YAML 1.1 booleans stay strings", `["yes","No","on","OFF","y","true","null"]`,
			"- \"yes\"\n- \"No\"\n- \"on\"\n- \"OFF\"\n- \"y\"\n- \"true\"\n- \"null\"\n"},
		{"paths and refs are plain", `{"$ref":"#/x","/a/b":"application/json"}`, "$ref: \"#/x\"\n/a/b: application/json\n"},
		{"braces, colons, spaces are quoted", `{"/t/{id}":"a: b","k":"two words"}`, "\"/t/{id}\": \"a: b\"\nk: \"two words\"\n"},
		{"escapes", `{"k":"line\nnext \"q\" \\ tab\t<>&"}`, "k: \"line\\nnext \\\"q\\\" \\\\ tab\\t<>&\"\n"},
		{"unicode is kept", `{"k":"Логин ✓"}`, "k: \"Логин ✓\"\n"},
		{"empty string", `{"":""}`, "\"\": \"\"\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jsonToYAML([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
	for _, bad := range []string{``, `{`, `{"a":1}{}`, `[1,]`, strings.Repeat("[", 100) + strings.Repeat("]", 100)} {
		t.Run("refuses "+bad, func(t *testing.T) {
			_, err := jsonToYAML([]byte(bad))
			assert.Error(t, err)
		})
	}
}

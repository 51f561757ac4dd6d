package token

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzDecodeObject checks the member scanner against encoding/json: what
// it accepts is a JSON object, with the same names and values, no name
// repeated up to case.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":1}`, ` {"a" : [1,{"b":"}"}], "c":"\"x\\"} `, `{"s\u0075b":"a","sub":"b"}`,
		`{"a":"b"}{}`, `[1]`, `{"a":}`, `{"a":1,}`, `{"a":"\ud800"}`, `{"A":1,"a":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var names []string
		var values [][]byte
		err := decodeObject(data, func(name string, raw []byte) error {
			names = append(names, name)
			values = append(values, raw)
			return nil
		})
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("accepted %q that encoding/json refuses: %v", data, err)
		}
		if len(m) != len(names) {
			t.Fatalf("%q: %d members, encoding/json sees %d", data, len(names), len(m))
		}
		for i, n := range names {
			want, ok := m[n]
			if !ok {
				t.Fatalf("%q: member %q unknown to encoding/json", data, n)
			}
			var a, b bytes.Buffer
			if json.Compact(&a, values[i]) != nil || json.Compact(&b, want) != nil || a.String() != b.String() {
				t.Fatalf("%q: member %q = %q, encoding/json %q", data, n, values[i], want)
			}
		}
	})
}

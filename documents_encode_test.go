package gatehouse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
)

// checkEncoding fails t unless appendSessionDocument encodes d as
// encoding/json does (through SessionDocument.MarshalJSON, the encoder
// GET /session used before).
func checkEncoding(t *testing.T, d *SessionDocument) {
	t.Helper()
	want, wantErr := json.Marshal(d)
	got, gotErr := appendSessionDocument([]byte("prefix"), d)
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("encoding/json error %v, appendSessionDocument error %v", wantErr, gotErr)
	}
	if wantErr != nil {
		return
	}
	if !bytes.HasPrefix(got, []byte("prefix")) {
		t.Fatalf("appendSessionDocument dropped what it appends to: %q", got)
	}
	if got = got[len("prefix"):]; !bytes.Equal(got, want) {
		t.Fatalf("document %#v\nencoding/json:        %s\nappendSessionDocument: %s", d, want, got)
	}
}

// htmlMarshaler encodes itself as JSON that encoding/json must compact
// and HTML-escape.
type htmlMarshaler struct{}

func (htmlMarshaler) MarshalJSON() ([]byte, error) {
	return []byte(`{ "b" : "<&>" , "a" : [ 1 , 2 ] }`), nil
}

// The strings encoding/json escapes, and those it does not.
var trickyStrings = []string{
	"", "plain", `quote " backslash \ slash /`, "<script>alert(1)</script>", "a&b", "x>y",
	"\u2028line\u2029para", "tab\tnl\nret\rbs\bff\f", "\x00\x01\x1f\x7f", "invalid \xff\xfe utf8 \xc3",
	"truncated \xe2\x80", "héllo wörld", "日本語テキスト", "emoji 😀 \U0001F600", "\uFFFD", "\ufeffbom",
	"ключ", "'single'", strings.Repeat("long<", 200),
}

func TestSessionDocumentEncodingMatchesEncodingJSON(t *testing.T) {
	cases := map[string]SessionDocument{
		"zero": {},
		"empty, non-nil": {
			Info:       SessionInfo{Specifics: []string{}, Attributes: map[string]string{}},
			Roles:      []RoleRef{},
			RoleParams: []permissions.Param{},
			Parameters: []storage.Parameter{},
			Sections:   map[string]any{},
		},
		"typical": {
			Info: SessionInfo{
				ID: "id-alice", Login: "alice", Email: "alice@example.com", Title: "Alice Example", Lang: "en",
				Specifics:  []string{"entity_export_to_file"},
				Attributes: map[string]string{"dep_id": "42", "allowFTP": "true", "kind": "7"},
			},
			Roles:      []RoleRef{{"sales"}, {"viewer"}},
			RoleParams: []permissions.Param{{Code: "generate_ddl", Value: "0"}, {Code: "theme", Value: "dark"}},
			Parameters: []storage.Parameter{
				{Code: "generate_ddl", Title: "Generate DDL", Value: "1", FromDataFile: true},
				{Code: "page_size", Value: "50"},
			},
		},
		"attributes named like fixed keys lose": {
			Info: SessionInfo{ID: "real-id", Login: "real", Attributes: map[string]string{
				"id": "fake", "login": "fake", "email": "fake", "title": "fake", "lang": "fake",
				"bp_process_roles_list": "fake", "ida": "after id", "": "empty key", "a": "first", "zz": "last",
				"email0": "x", "emai": "y", "bp": "z", "title\x00": "nul", "<k>": "&v",
			}},
		},
		"sections around the fixed keys": {
			Sections: map[string]any{
				"a": nil, "session": 1, "session_q": []string{"<"}, "session_rolez": map[string]int{"b": 2, "a": 1},
				"sessioninfp": htmlMarshaler{}, "sessioninfo": "dropped", "session_roles": "dropped",
				"session_role_params": "dropped", "session_parameters": "dropped", "zzz": struct {
					X string `json:"x"`
					Y []byte
				}{"\u2028", []byte("bytes")},
				"time":  time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
				"float": 1e21, "small": 1e-7, "neg": math.Copysign(0, -1), "int": int64(-9007199254740993),
				"events": []map[string]any{{"id": 1, "title": "<b>x</b>"}}, "nilslice": []string(nil),
				"nilmap": map[string]any(nil), "raw": json.RawMessage(` {"r" : true} `),
				"ключ": "unicode name", "<tag>": "html name",
			},
		},
	}
	for _, s := range trickyStrings {
		cases["string "+fmt.Sprintf("%q", s)] = SessionDocument{
			Info: SessionInfo{ID: s, Login: s, Email: s, Title: s, Lang: s, Specifics: []string{s, s},
				Attributes: map[string]string{s: s, s + "x": s}},
			Roles:      []RoleRef{{s}},
			RoleParams: []permissions.Param{{Code: s, Value: s}},
			Parameters: []storage.Parameter{{Code: s, Title: s, Value: s}},
			Sections:   map[string]any{s + "sec": s, "s" + s: []string{s}},
		}
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) { checkEncoding(t, &d) })
	}
}

// A section value that encoding/json cannot encode is an error of that
// section, as it is an error of the whole document for encoding/json.
func TestSessionDocumentEncodingSectionError(t *testing.T) {
	d := SessionDocument{Sections: map[string]any{"events": make(chan int), "alerts": 1}}
	_, err := json.Marshal(&d)
	if err == nil {
		t.Fatal("encoding/json encoded a channel")
	}
	_, err = appendSessionDocument(nil, &d)
	if se, ok := err.(*sectionError); !ok || se.name != "events" || !strings.Contains(err.Error(), "unsupported type") {
		t.Fatalf("error %v, want the events section's unsupported type", err)
	}
}

// randomString returns a string of up to max runes (or bytes) drawn from
// what encoding/json treats differently: ASCII, HTML characters, control
// characters, U+2028 and U+2029, multi-byte runes and invalid UTF-8.
func randomString(r *rand.Rand, max int) string {
	pieces := []string{
		"a", "b", "z", "_", "0", "9", " ", "-", ".", "/", "<", ">", "&", `"`, `\`, "\x00", "\x01", "\b", "\f",
		"\n", "\r", "\t", "\x1f", "\x7f", "\u2028", "\u2029", "é", "ж", "日", "😀", "\ufffd", "\xff", "\xc3",
		"\xe2\x80", "\xed\xa0\x80", "id", "login", "session", "info", "bp_process_roles_list",
	}
	var b strings.Builder
	for n := r.IntN(max + 1); n > 0; n-- {
		if r.IntN(8) == 0 {
			b.WriteByte(byte(r.IntN(256)))
			continue
		}
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// randomDocument returns a document with random content and random nil
// and empty parts.
func randomDocument(r *rand.Rand) SessionDocument {
	str := func() string { return randomString(r, 6) }
	var d SessionDocument
	d.Info = SessionInfo{ID: str(), Login: str(), Email: str(), Title: str(), Lang: str()}
	if n := r.IntN(5) - 1; n >= 0 {
		d.Info.Specifics = make([]string, n)
		for i := range n {
			d.Info.Specifics[i] = str()
		}
	}
	if n := r.IntN(8) - 1; n >= 0 {
		d.Info.Attributes = make(map[string]string, n)
		for range n {
			k := str()
			if r.IntN(6) == 0 {
				k = infoKeys[r.IntN(len(infoKeys))]
			}
			d.Info.Attributes[k] = str()
		}
	}
	if n := r.IntN(4) - 1; n >= 0 {
		d.Roles = make([]RoleRef, n)
		for i := range n {
			d.Roles[i].Code = str()
		}
	}
	if n := r.IntN(4) - 1; n >= 0 {
		d.RoleParams = make([]permissions.Param, n)
		for i := range n {
			d.RoleParams[i] = permissions.Param{Code: str(), Value: str()}
		}
	}
	if n := r.IntN(5) - 1; n >= 0 {
		d.Parameters = make([]storage.Parameter, n)
		for i := range n {
			d.Parameters[i] = storage.Parameter{Code: str(), Value: str(), FromDataFile: r.IntN(2) == 0}
			if r.IntN(2) == 0 {
				d.Parameters[i].Title = str()
			}
		}
	}
	if n := r.IntN(5) - 1; n >= 0 {
		d.Sections = make(map[string]any, n)
		fixed := []string{keySessionInfo, keySessionRoles, keySessionRoleParams, keySessionParameters}
		for range n {
			k := str()
			if r.IntN(5) == 0 {
				k = fixed[r.IntN(len(fixed))]
			}
			var v any
			switch r.IntN(6) {
			case 0:
				v = str()
			case 1:
				v = []string{str(), str()}
			case 2:
				v = map[string]any{str(): str(), str(): r.IntN(100)}
			case 3:
				v = r.Float64() * 1e9
			case 4:
				v = htmlMarshaler{}
			}
			d.Sections[k] = v
		}
	}
	return d
}

// Many random documents encode as encoding/json encodes them.
func TestSessionDocumentEncodingRandom(t *testing.T) {
	n := 5000
	if testing.Short() {
		n = 500
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 15))
	for range n {
		d := randomDocument(r)
		checkEncoding(t, &d)
	}
}

func FuzzSessionDocumentEncoding(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s, s, uint64(len(s)))
	}
	f.Fuzz(func(t *testing.T, a, b, c string, seed uint64) {
		d := randomDocument(rand.New(rand.NewPCG(seed, 0)))
		d.Info.ID, d.Info.Title = a, c
		if d.Info.Attributes == nil {
			d.Info.Attributes = map[string]string{}
		}
		d.Info.Attributes[a], d.Info.Attributes[b] = b, c
		d.Roles = append(d.Roles, RoleRef{Code: b})
		d.RoleParams = append(d.RoleParams, permissions.Param{Code: a, Value: b})
		d.Parameters = append(d.Parameters, storage.Parameter{Code: b, Title: c, Value: a})
		if d.Sections == nil {
			d.Sections = map[string]any{}
		}
		d.Sections[c] = a
		checkEncoding(t, &d)
	})
}

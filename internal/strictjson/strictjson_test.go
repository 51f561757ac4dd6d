package strictjson_test

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/strictjson"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want string // "" = accepted; "utf8" = ErrInvalidUTF8; otherwise the DuplicateError message
	}{
		{"plain object", `{"username":"alice","password":"pw"}`, ""},
		{"same name in sibling objects", `{"a":{"x":1},"b":{"x":2}}`, ""},
		{"same name at two depths", `{"x":{"x":1}}`, ""},
		{"array of objects", `[{"x":1},{"x":2}]`, ""},
		{"scalar", `"a string"`, ""},
		{"valid pair escape", `{"a":"\ud83d\ude00"}`, ""},
		{"escaped backslash before u", `{"a":"\\ud800"}`, ""},
		{"syntax error left to the decoder", `{"a":`, ""},
		{"exact duplicate", `{"username":"nobody","username":"alice"}`, "username: given more than once"},
		{"case duplicate", `{"username":"nobody","password":"x","USERNAME":"alice"}`, `USERNAME: given more than once (equal to "username" up to case)`},
		{"Kelvin sign folds to k", `{"kid":"a","\u212aid":"b"}`, "\u212aid: given more than once (equal to \"kid\" up to case)"},
		{"nested duplicate", `{"a":{"b":[{"c":1,"C":2}]}}`, `a.b[0].C: given more than once (equal to "c" up to case)`},
		{"escaped duplicate", `{"name":1,"n\u0061me":2}`, "name: given more than once"},
		{"invalid UTF-8 in a string", "{\"password\":\"\xff\xfe\"}", "utf8"},
		{"invalid UTF-8 in a name", "{\"\xc3\":1}", "utf8"},
		{"lone high surrogate", `{"a":"\ud800"}`, "utf8"},
		{"lone low surrogate", `{"a":"\udc00x"}`, "utf8"},
		{"high surrogate then a non-surrogate", `{"a":"\ud800\u0041"}`, "utf8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := strictjson.Check([]byte(tc.in))
			switch tc.want {
			case "":
				assert.NoError(t, err)
			case "utf8":
				assert.ErrorIs(t, err, strictjson.ErrInvalidUTF8)
			default:
				var de *strictjson.DuplicateError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, tc.want, de.Error())
			}
		})
	}
}

// A body of deep nesting costs one linear pass: a million brackets must
// not take minutes (the walk once rebuilt each level's path).
func TestCheckDeepNestingIsCheap(t *testing.T) {
	for _, open := range []string{"[", `{"a":`} {
		deep := []byte(strings.Repeat(open, 1<<20/len(open)))
		done := make(chan error, 1)
		go func() { done <- strictjson.Check(deep) }()
		select {
		case err := <-done:
			assert.NoError(t, err, "left to the decoder")
		case <-time.After(20 * time.Second):
			t.Fatalf("Check of 1 MiB of %q did not finish", open)
		}
	}
	// Below the limit a duplicate deep down is still found, with its path.
	deep := strings.Repeat(`{"a":`, 50) + `{"x":1,"X":2}` + strings.Repeat("}", 50)
	var de *strictjson.DuplicateError
	require.ErrorAs(t, strictjson.Check([]byte(deep)), &de)
	assert.Equal(t, strings.TrimSuffix(strings.Repeat("a.", 50), "."), de.Path)
}

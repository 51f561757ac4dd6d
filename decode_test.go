package gatehouse_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TTL      int32  `json:"ttl_seconds"`
}

func TestDecodeJSON(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{})
	h := gatehouse.ExportDecodeHandler[credentials](g)
	jsonCT := map[string]string{"Content-Type": "application/json"}
	tests := []struct {
		name    string
		body    string
		header  map[string]string
		status  int
		message string // a part of the error message
	}{
		{"valid", `{"username":"u1","password":"p","ttl_seconds":60}`, jsonCT, 200, ""},
		{"charset utf-8", `{"username":"u1"}`, map[string]string{"Content-Type": "application/json; charset=UTF-8"}, 200, ""},
		{"unknown field", `{"username":"u1","pasword":"p"}`, jsonCT, 400, `"pasword": unknown field`},
		{"malformed", `{"username":"u1",}`, jsonCT, 400, "malformed JSON at byte"},
		{"truncated", `{"username":"u1"`, jsonCT, 400, "malformed JSON"},
		{"empty", ``, jsonCT, 400, "empty"},
		{"wrong type", `{"username":123}`, jsonCT, 400, "username: must be a string"},
		{"int overflow", `{"ttl_seconds":99999999999}`, jsonCT, 400, "ttl_seconds: must be an integer"},
		{"two values", `{"username":"a"}{"username":"b"}`, jsonCT, 400, "single JSON value"},
		{"trailing garbage", `{"username":"a"} x`, jsonCT, 400, "malformed JSON"},
		{"not an object", `"jwt"`, jsonCT, 400, "must be an object"},
		{"duplicate member", `{"username":"u1","username":"alice"}`, jsonCT, 400, "username: given more than once (duplicate)"},
		{"duplicate up to case", `{"username":"nobody","password":"p","USERNAME":"alice"}`, jsonCT, 400, `USERNAME: given more than once (equal to "username" up to case)`},
		{"invalid UTF-8", "{\"username\":\"u1\",\"password\":\"\xff\xfe\"}", jsonCT, 400, "body: invalid UTF-8"},
		{"lone surrogate", `{"username":"u1","password":"\udcff"}`, jsonCT, 400, "body: invalid UTF-8"},
		{"no content type", `{"username":"u1"}`, nil, 415, "application/json"},
		{"form", `username=u1`, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, "application/json"},
		{"text", `{}`, map[string]string{"Content-Type": "text/plain"}, 415, "application/json"},
		{"latin1", `{}`, map[string]string{"Content-Type": "application/json; charset=latin1"}, 415, "utf-8"},
		{"garbage content type", `{}`, map[string]string{"Content-Type": ";;;"}, 415, "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, http.MethodPost, "/echo", []byte(tc.body), tc.header)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.status != 200 {
				body := decodeError(t, rec)
				assert.Contains(t, body.Message, tc.message)
				assert.Equal(t, "echo", body.TraceData.Operation)
			}
		})
	}
}

// A chunked body has no Content-Length: the limit is enforced while reading.
func TestDecodeJSONChunkedBodyOverLimit(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{MaxBodyBytes: 64})
	h := gatehouse.ExportDecodeHandler[credentials](g)
	body := `{"username":"` + strings.Repeat("a", 100) + `"}`
	req, err := http.NewRequest(http.MethodPost, "/echo", struct{ *strings.Reader }{strings.NewReader(body)})
	require.NoError(t, err)
	require.EqualValues(t, 0, req.ContentLength, "no length known up front")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
	assert.Contains(t, decodeError(t, rec).Message, "64 bytes")
}

func TestLoginRefusesCaseCollidingMembers(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "alice", "password1", nil)
	for _, path := range []string{"/token", "/login"} {
		rec := e.do(t, nil, req{method: "POST", path: path, body: `{"username":"nobody","password":"password1","USERNAME":"alice"}`})
		require.Equal(t, http.StatusBadRequest, rec.Code, "%s: %s", path, rec.Body.String())
		assert.Contains(t, decodeError(t, rec).Message, "USERNAME: given more than once")
		assert.Empty(t, rec.Header().Values("Set-Cookie"), path)
	}
	rec := e.do(t, nil, req{method: "POST", path: "/token", body: "{\"username\":\"alice\",\"password\":\"\xff\xfe\"}"})
	require.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, decodeError(t, rec).Message, "invalid UTF-8")
}

func TestFormLoginRefusesInvalidUTF8(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.Web.LoginFailed = func(w http.ResponseWriter, r *http.Request, f gatehouse.LoginFailure) {
			http.Error(w, f.Code+": "+f.Err.Message, f.Err.Status)
		}
	})
	e.addUser(t, "alice", "password1", nil)
	rec := e.do(t, nil, req{method: "POST", path: "/login", ctype: "application/x-www-form-urlencoded", body: "username=alice&password=%ff%fe", header: submission})
	require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
	assert.Equal(t, "invalid: password: invalid UTF-8 (encoding)\n", rec.Body.String())
	assert.Empty(t, rec.Result().Cookies())
	rec = e.do(t, nil, req{method: "POST", path: "/login", ctype: "application/x-www-form-urlencoded", body: "username=alice&password=%ff%fe"})
	require.Equal(t, http.StatusBadRequest, rec.Code, "an API client gets the error itself")
	assert.Equal(t, "password: invalid UTF-8 (encoding)", decodeError(t, rec).Message)
	assert.Empty(t, rec.Result().Cookies())
}

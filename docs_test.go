package gatehouse_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
)

func getDocs(t *testing.T, env *gatehousetest.Env, name string) *httptest.ResponseRecorder {
	t.Helper()
	return env.Serve(nil, httptest.NewRequest(http.MethodGet, "/docs/"+name, nil))
}

// The OpenAPI document must describe exactly the routes Handler registers:
// a route added without documentation, or documentation of a route that
// is gone, fails here.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	env := gatehousetest.New(t)
	rec := getDocs(t, env, gatehouse.DocsOpenAPIJSON)
	require.Equal(t, http.StatusOK, rec.Code)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Equal(t, "3.1.0", doc.OpenAPI)
	var documented []string
	for path, item := range doc.Paths {
		for method := range item {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(documented)
	routes := gatehouse.ExportRoutes(env.G)
	require.NotEmpty(t, routes)
	assert.Contains(t, routes, "GET /docs/{filename}")
	assert.Equal(t, routes, documented, "routes registered by Handler and AdminHandler under /admin (left) vs operations in api/openapi.json (right)")
}

func TestDocsFiles(t *testing.T) {
	env := gatehousetest.New(t)
	spec := getDocs(t, env, gatehouse.DocsOpenAPIJSON).Body.Bytes()
	var paths struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		} `json:"paths"`
	}
	require.NoError(t, json.Unmarshal(spec, &paths))

	for _, tc := range []struct {
		name, contentType string
		check             func(t *testing.T, body string, h http.Header)
	}{
		{gatehouse.DocsOpenAPIJSON, "application/json; charset=utf-8", func(t *testing.T, body string, h http.Header) {
			assert.True(t, json.Valid([]byte(body)))
		}},
		{gatehouse.DocsOpenAPIYAML, "application/yaml; charset=utf-8", func(t *testing.T, body string, h http.Header) {
			assert.True(t, strings.HasPrefix(body, "openapi: \"3.1.0\"\n"), "starts with the version")
			assert.Contains(t, body, "\n  \"/trace/{tracecode}\":\n")
			assert.False(t, json.Valid([]byte(body)), "block YAML, not JSON served as YAML")
		}},
		{gatehouse.DocsHTML, "text/html; charset=utf-8", func(t *testing.T, body string, h http.Header) {
			assert.NotContains(t, strings.ToLower(body), "<script", "the page runs no script")
			assert.NotContains(t, body, "http://", "the page loads nothing")
			assert.NotContains(t, body, "https://", "the page loads nothing")
			assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
			for path, item := range paths.Paths {
				for method, op := range item {
					assert.Contains(t, body, `id="op-`+op.OperationID+`"`, "%s %s has a section", method, path)
					assert.Contains(t, body, `<span class="path">`+path+`</span>`)
				}
			}
			assert.Contains(t, body, `<a href="#schema-TokenRequest">TokenRequest</a>`, "schemas are linked")
			assert.Contains(t, body, "60..31556926", "constraints are shown")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := getDocs(t, env, tc.name)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, tc.contentType, rec.Header().Get("Content-Type"))
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			assert.NotEmpty(t, rec.Header().Get("X-Trace-Code"))
			tc.check(t, rec.Body.String(), rec.Header())
		})
	}
}

func TestDocsErrors(t *testing.T) {
	env := gatehousetest.New(t)
	for _, tc := range []struct {
		desc, name string
		status     int
	}{
		{"5 characters is too short", "a.yml", http.StatusBadRequest},
		{"129 characters is too long", strings.Repeat("a", 124) + ".html", http.StatusBadRequest},
		{"6 characters, unknown", "a.json", http.StatusNotFound},
		{"128 characters, unknown", strings.Repeat("a", 123) + ".html", http.StatusNotFound},
		{"6 characters of 2 bytes each count as 6", "éééééé", http.StatusNotFound},
		{"another language", "file_ru.html", http.StatusNotFound},
		{"case matters", "OpenAPI.json", http.StatusNotFound},
		{"no traversal", "..%2Fgo.mod", http.StatusNotFound},
		{"the template is not served", "page.html.tmpl", http.StatusNotFound},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			rec := getDocs(t, env, tc.name)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
			trace := rec.Header().Get("X-Trace-Code")
			require.NotEmpty(t, trace)
			dec := json.NewDecoder(rec.Body)
			dec.DisallowUnknownFields()
			if tc.status == http.StatusBadRequest {
				var body gatehouse.ErrorBody
				require.NoError(t, dec.Decode(&body))
				assert.True(t, strings.HasPrefix(body.Message, "filename: "), "the message names the parameter: %q", body.Message)
				assert.Equal(t, trace, body.TraceData.Code)
				return
			}
			var body gatehouse.DocsErrorBody
			require.NoError(t, dec.Decode(&body), "the account service's documentation error body")
			want := tc.name
			if tc.name == "..%2Fgo.mod" {
				want = "../go.mod"
			}
			assert.Equal(t, want, body.ResourceID)
			assert.Equal(t, trace, body.Detail.TraceData.Code)
			assert.Equal(t, "docs", body.Detail.TraceData.Operation)
			assert.Equal(t, env.G.Service().Name, body.Detail.TraceData.Service)
		})
	}
}

func TestDocsIndexRedirects(t *testing.T) {
	env := gatehousetest.New(t)
	for _, tc := range []struct{ path, location string }{
		{"/docs", "docs/file_en.html"},
		{"/docs/", "file_en.html"},
	} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			rec := env.Serve(nil, httptest.NewRequest(method, tc.path, nil))
			require.Equal(t, http.StatusFound, rec.Code, "%s %s", method, tc.path)
			assert.Equal(t, tc.location, rec.Header().Get("Location"))
		}
	}
	t.Run("mounted under a prefix, the Location resolves to the page", func(t *testing.T) {
		mux := http.NewServeMux()
		mux.Handle("/auth/", http.StripPrefix("/auth", env.G.Handler()))
		srv := httptest.NewServer(mux)
		defer srv.Close()
		for _, p := range []string{"/auth/docs", "/auth/docs/"} {
			res, err := srv.Client().Get(srv.URL + p)
			require.NoError(t, err)
			_ = res.Body.Close()
			assert.Equal(t, http.StatusOK, res.StatusCode, p)
			assert.Equal(t, "/auth/docs/file_en.html", res.Request.URL.Path, p)
			assert.Contains(t, res.Header.Get("Content-Type"), "text/html")
		}
	})
}

package gatehouse

import (
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/gatehouse-go/gatehouse/session"
)

// The file names GET /docs/{filename} serves.
const (
	// DocsOpenAPIJSON names the OpenAPI 3.1 document of the API, as JSON.
	DocsOpenAPIJSON = "openapi.json"
	// DocsOpenAPIYAML names the same document as YAML.
	DocsOpenAPIYAML = "openapi.yaml"
	// DocsHTML names the human-readable page rendered from the document.
	DocsHTML = "file_en.html"
)

// The three files are committed. api/openapi.json is the one source:
// api/openapi.yaml and api/file_en.html are generated from it by the
// command in tools/docsgen (a module of its own, so that its YAML library is
// no dependency of this one). Edit api/openapi.json, then run `go generate .`
// in the repository root (or `make docs`); a test of tools/docsgen fails
// while the generated files are out of date.
//
//go:generate go run ./tools/docsgen

// apiFiles holds the OpenAPI document and the two files generated from it.
// It is read-only.
//
//go:embed api/openapi.json api/openapi.yaml api/file_en.html
var apiFiles embed.FS

// docsFiles are the files of GET /docs/{filename}, read once per Handler.
// Should reading them fail (a file missing from the embedded set, which the
// tests rule out), the endpoint answers 500 and the cause is logged.
type docsFiles struct {
	files map[string]docFile
	err   error
}

// docFile is one file of GET /docs/{filename}.
type docFile struct {
	contentType string
	body        []byte
}

// docsFiles reads the embedded documentation files.
func (g *Gatehouse) docsFiles() *docsFiles {
	d := &docsFiles{files: make(map[string]docFile, 3)}
	for _, f := range []struct{ name, contentType string }{
		{DocsOpenAPIJSON, "application/json; charset=utf-8"},
		{DocsOpenAPIYAML, "application/yaml; charset=utf-8"},
		{DocsHTML, "text/html; charset=utf-8"},
	} {
		body, err := apiFiles.ReadFile("api/" + f.name)
		if err != nil {
			d.err = fmt.Errorf("gatehouse: docs: %w", err)
			g.log.Error("gatehouse: API documentation unavailable", "err", d.err)
			return d
		}
		d.files[f.name] = docFile{contentType: f.contentType, body: body}
	}
	return d
}

// docsRedirect answers GET /docs and GET /docs/ with 302 Found to the HTML
// page. The Location is relative, so that it stays right wherever the host
// mounts the handler (behind http.StripPrefix the request's path has lost
// the prefix, and an absolute path built from it would be wrong).
func docsRedirect(location string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *session.Auth) error {
		w.Header().Set("Location", location)
		w.WriteHeader(http.StatusFound)
		return nil
	}
}

// Limits of the filename of GET /docs/{filename}, as the account service
// sets them.
const (
	minDocsFilename = 6
	maxDocsFilename = 128
)

// serve answers GET /docs/{filename} with the API documentation:
// DocsOpenAPIJSON, DocsOpenAPIYAML or DocsHTML. A filename outside 6..128
// characters is a 400 naming the parameter, with the usual error body. An
// unknown filename is a 404 with the body the account service documents for
// this endpoint, [DocsErrorBody], whose resource_id is the filename asked
// for. Nothing needs a session: the document describes the API, not its data.
func (d *docsFiles) serve(w http.ResponseWriter, r *http.Request, _ *session.Auth) error {
	name := r.PathValue("filename")
	if n := utf8.RuneCountInString(name); n < minDocsFilename || n > maxDocsFilename {
		return errorf(http.StatusBadRequest, "filename: length must be %d..%d characters (length)", minDocsFilename, maxDocsFilename)
	}
	if d.err != nil {
		return errInternal(d.err)
	}
	f, ok := d.files[name]
	if !ok {
		return &Error{Status: http.StatusNotFound, Message: "no such documentation file", body: func(td TraceData) any {
			return DocsErrorBody{ResourceID: name, Detail: DocsErrorDetail{TraceData: td}}
		}}
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Length", strconv.Itoa(len(f.body)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=300")
	if name == DocsHTML {
		// The page is static: no script at all, its own inline style only.
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.body)
	return nil
}

// DocsErrorBody is the body of a 404 of GET /docs/{filename}: the account
// service documents this shape, not the usual [ErrorBody], for that endpoint.
// ResourceID is the file name that was asked for.
type DocsErrorBody struct {
	ResourceID string          `json:"resource_id"`
	Detail     DocsErrorDetail `json:"detail"`
}

// DocsErrorDetail is the "detail" of a [DocsErrorBody]: the request's trace
// data.
type DocsErrorDetail struct {
	TraceData TraceData `json:"tracedata"`
}

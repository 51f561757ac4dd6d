package gatehouse_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"

	"github.com/gatehouse-go/gatehouse"
)

// The API describes itself: GET /docs/openapi.json is its OpenAPI 3.1
// document, openapi.yaml the same as YAML, file_en.html a page for people.
func ExampleGatehouse_Handler_docs() {
	g, err := gatehouse.New(gatehouse.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	h := g.Handler()

	for _, name := range []string{gatehouse.DocsOpenAPIJSON, gatehouse.DocsOpenAPIYAML, gatehouse.DocsHTML, "file_ru.html"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/docs/"+name, nil))
		fmt.Println(name, rec.Code, rec.Header().Get("Content-Type"))
		if name == gatehouse.DocsOpenAPIJSON {
			var doc struct {
				OpenAPI string         `json:"openapi"`
				Paths   map[string]any `json:"paths"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &doc)
			fmt.Println("openapi", doc.OpenAPI, "paths:", len(doc.Paths) > 0)
		}
	}
	// Output:
	// openapi.json 200 application/json; charset=utf-8
	// openapi 3.1.0 paths: true
	// openapi.yaml 200 application/yaml; charset=utf-8
	// file_en.html 200 text/html; charset=utf-8
	// file_ru.html 404 application/json; charset=utf-8
}

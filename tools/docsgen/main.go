// Command docsgen derives the API documentation files that gatehouse serves
// at GET /docs/{filename} from their one source, api/openapi.json:
//
//   - api/openapi.yaml, the same document as YAML (same data, same key
//     order, block style), written by go.yaml.in/yaml/v3;
//   - api/file_en.html, the human-readable page, rendered by html/template
//     from page.html.tmpl.
//
// The gatehouse package embeds the three files, so they are committed. After
// editing api/openapi.json, run, from the repository root,
//
//	go generate .
//
// (or make docs), which runs this command as
//
//	go run ./tools/docsgen
//
// The flag -root names the repository root (default: the current
// directory). A file whose content is already right is not rewritten. The
// tests of this module fail when the committed files differ from what this
// command would write.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// The files, by path from the repository root.
const (
	specPath = "api/openapi.json"
	yamlPath = "api/openapi.yaml"
	htmlPath = "api/file_en.html"
)

// output is one generated file.
type output struct {
	path string // from the repository root, slash-separated
	body []byte
}

// generate derives the generated files from the OpenAPI document spec.
func generate(spec []byte) ([]output, error) {
	y, err := jsonToYAML(spec)
	if err != nil {
		return nil, fmt.Errorf("%s as YAML: %w", specPath, err)
	}
	page, err := renderDocsHTML(spec)
	if err != nil {
		return nil, fmt.Errorf("%s as HTML: %w", specPath, err)
	}
	return []output{{yamlPath, y}, {htmlPath, page}}, nil
}

// run generates the files under the repository root and writes those that
// changed.
func run(root string) error {
	spec, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(specPath)))
	if err != nil {
		return err
	}
	outs, err := generate(spec)
	if err != nil {
		return err
	}
	for _, o := range outs {
		p := filepath.Join(root, filepath.FromSlash(o.path))
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, o.body) {
			continue
		}
		if err := os.WriteFile(p, o.body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	root := flag.String("root", ".", "the repository root")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: docsgen [-root dir]")
		os.Exit(2)
	}
	if err := run(*root); err != nil {
		fmt.Fprintln(os.Stderr, "docsgen:", err)
		os.Exit(1)
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../.."

func readRepoFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, filepath.FromSlash(path)))
	require.NoError(t, err)
	return b
}

// The committed api/openapi.yaml and api/file_en.html must be exactly what
// the generator makes of the committed api/openapi.json: an edit of the
// JSON without `go generate`, or an edit of a generated file by hand, fails
// here.
func TestGeneratedDocsUpToDate(t *testing.T) {
	outs, err := generate(readRepoFile(t, specPath))
	require.NoError(t, err)
	require.Len(t, outs, 2)
	for _, o := range outs {
		t.Run(o.path, func(t *testing.T) {
			committed := readRepoFile(t, o.path)
			if !bytes.Equal(committed, o.body) {
				t.Errorf("%s is out of date with %s: edit %s only, then run `go generate .` (or `make docs`) in the repository root and commit the result",
					o.path, specPath, specPath)
			}
		})
	}
}

// The YAML document holds the same value as the JSON one.
func TestYAMLMatchesJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		json []byte
	}{
		{"the OpenAPI document", readRepoFile(t, specPath)},
		{"scalars that look like others", []byte(`{"a":["true","false","null","","1.0","1","-1","0x1F","1e3",".5","~","yes","No","on","y","n","3.1.0","2024-01-02","12:30","#x","@x","*x","&x","!x","%x","|","a: b","a #b"," x","x ","\n"]}`)},
		{"numbers and literals", []byte(`{"i":0,"n":-12,"f":12.50,"e":1e3,"E":-2.5E-3,"t":true,"f2":false,"z":null}`)},
		{"nesting", []byte(`[[],{},[{"a":{"b":[1,[2]]}}],{"":{"200":{"$ref":"#/x"}}}]`)},
		{"text", []byte(`{"k":"line\nnext \"q\" \\ tab\t<>& Логин ✓ \u0001 \u2028"}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y, err := jsonToYAML(tc.json)
			require.NoError(t, err)
			var fromJSON any
			require.NoError(t, json.Unmarshal(tc.json, &fromJSON))
			var fromYAML any
			require.NoError(t, yaml.Unmarshal(y, &fromYAML), string(y))
			// Through JSON again, so that YAML's ints and JSON's float64s
			// compare as the numbers they are.
			viaJSON, err := json.Marshal(fromYAML)
			require.NoError(t, err)
			var got any
			require.NoError(t, json.Unmarshal(viaJSON, &got))
			assert.Equal(t, fromJSON, got, string(y))
		})
	}
}

// TestYAMLTypes checks what JSON's types become in YAML: numbers stay
// numbers and strings stay strings, whatever they look like.
func TestYAMLTypes(t *testing.T) {
	y, err := jsonToYAML([]byte(`{"s":["true","1.0","null","","200"],"n":[200,1.0],"b":true,"z":null}`))
	require.NoError(t, err)
	var v struct {
		S []any `yaml:"s"`
		N []any `yaml:"n"`
		B any   `yaml:"b"`
		Z any   `yaml:"z"`
	}
	require.NoError(t, yaml.Unmarshal(y, &v))
	assert.Equal(t, []any{"true", "1.0", "null", "", "200"}, v.S)
	assert.Equal(t, []any{200, 1.0}, v.N)
	assert.Equal(t, true, v.B)
	assert.Nil(t, v.Z)
}

// run writes the generated files where they differ and leaves the others
// untouched.
func TestRunWritesTheFiles(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, "api"), 0o755))
	spec := readRepoFile(t, specPath)
	require.NoError(t, os.WriteFile(filepath.Join(root, "api", "openapi.json"), spec, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(root, "api", "openapi.yaml"), []byte("stale\n"), 0o644))
	require.NoError(t, run(root))
	outs, err := generate(spec)
	require.NoError(t, err)
	for _, o := range outs {
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(o.path)))
		require.NoError(t, err)
		assert.Equal(t, o.body, b, o.path)
	}
	assert.Error(t, run(t.TempDir()), "no api/openapi.json")
}

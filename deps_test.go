package gatehouse_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// allowedDeps are the modules whose packages the core module's non-test
// code may import besides the standard library and its own packages. Test
// files may import more (testify); the nested modules (sqlstore,
// redisstore, examples, ...) have their own go.mod and are not checked.
var allowedDeps = []string{
	"github.com/golang-jwt/jwt/v5",
	"golang.org/x/crypto",
	"golang.org/x/sys",
}

// listedPackage is what go list -json says of a package.
type listedPackage struct {
	ImportPath string
	Standard   bool
	Module     *struct {
		Path string
		Main bool
	}
	Imports []string
}

// The core module depends on golang-jwt and x/crypto (with x/sys under
// it) and nothing else: every package of its non-test code, and every
// package those import, is in the standard library, the module itself or
// allowedDeps.
func TestCoreDependencies(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the module's dependencies: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), goTool, "list", "-deps", "-json=ImportPath,Standard,Module,Imports", "./...")
	// The module alone, as a user's build sees it: go.work would add the
	// nested modules' packages to ./... .
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}

	var pkgs []listedPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list listed no packages")
	}

	var bad []string
	for _, p := range pkgs {
		if allowedPackage(p) {
			continue
		}
		var importers []string
		for _, q := range pkgs {
			if slices.Contains(q.Imports, p.ImportPath) {
				importers = append(importers, q.ImportPath)
			}
		}
		bad = append(bad, p.ImportPath+" (imported by "+strings.Join(importers, ", ")+")")
	}
	if len(bad) > 0 {
		t.Errorf("the core module's non-test code depends on packages outside the standard library, golang-jwt, x/crypto and x/sys:\n\t%s",
			strings.Join(bad, "\n\t"))
	}
}

func allowedPackage(p listedPackage) bool {
	first, _, _ := strings.Cut(p.ImportPath, "/")
	if p.Standard && !strings.Contains(first, ".") {
		return true
	}
	if p.Module != nil && p.Module.Main {
		return true
	}
	for _, m := range allowedDeps {
		if p.ImportPath == m || strings.HasPrefix(p.ImportPath, m+"/") {
			return true
		}
	}
	return false
}

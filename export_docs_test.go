package gatehouse

import (
	"slices"
	"strings"
)

// ExportRoutes returns the patterns ("METHOD /path") of the route table
// that Handler registers and, with the prefix /admin under which
// api/openapi.json describes them, of AdminHandler's, sorted.
func ExportRoutes(g *Gatehouse) []string {
	var out []string
	for _, r := range g.routes(g.docsFiles()) {
		// "/docs/{$}" is the OpenAPI path "/docs/".
		out = append(out, strings.TrimSuffix(r.pattern, "{$}"))
	}
	for _, r := range g.adminRoutes() {
		method, path, _ := strings.Cut(r.pattern, " ")
		out = append(out, method+" /admin"+path)
	}
	slices.Sort(out)
	return out
}

package gatehouse

import (
	"slices"
	"strings"
)

// ExportRoutes returns the patterns ("METHOD /path") of the route table
// that Handler registers, sorted.
func ExportRoutes(g *Gatehouse) []string {
	var out []string
	for _, r := range g.routes(g.docsFiles()) {
		// "/docs/{$}" is the OpenAPI path "/docs/".
		out = append(out, strings.TrimSuffix(r.pattern, "{$}"))
	}
	slices.Sort(out)
	return out
}

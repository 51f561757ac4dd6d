package gatehouse

import (
	"slices"
	"strings"
)

// ExportRoutes returns the patterns ("METHOD /path") that Handler
// registers, sorted.
func ExportRoutes(g *Gatehouse) []string {
	r := newRouter(g)
	g.routes(r)
	var out []string
	for path, methods := range r.methods {
		for _, m := range methods {
			// "/docs/{$}" is the OpenAPI path "/docs/".
			out = append(out, m+" "+strings.TrimSuffix(path, "{$}"))
		}
	}
	slices.Sort(out)
	return out
}

package gatehouse

import "slices"

// ExportRoutes returns the patterns ("METHOD /path") that Handler
// registers, sorted.
func ExportRoutes(g *Gatehouse) []string {
	r := newRouter(g)
	g.routes(r)
	var out []string
	for path, methods := range r.methods {
		for _, m := range methods {
			out = append(out, m+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// ExportJSONToYAML is jsonToYAML.
var ExportJSONToYAML = jsonToYAML

// ExportRenderDocsHTML is renderDocsHTML.
var ExportRenderDocsHTML = renderDocsHTML

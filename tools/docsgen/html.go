package main

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"slices"
	"strings"
)

// api/file_en.html, the page of /docs/file_en.html, is rendered from the
// OpenAPI document by page.html.tmpl: one section per operation (grouped by
// tag, in the document's order) and one per schema. It has no script and
// loads nothing.

// templates holds the page's template.
//
//go:embed page.html.tmpl
var templates embed.FS

// orderedMap is a JSON object decoded with its keys in document order.
type orderedMap[T any] struct {
	keys []string
	vals map[string]T
}

// UnmarshalJSON decodes an object, keeping the order of its keys.
func (m *orderedMap[T]) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errors.New("not a JSON object")
	}
	m.keys, m.vals = nil, make(map[string]T)
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		key := k.(string)
		var v T
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		if _, dup := m.vals[key]; !dup {
			m.keys = append(m.keys, key)
		}
		m.vals[key] = v
	}
	_, err = dec.Token()
	return err
}

// The parts of an OpenAPI document the page shows.
type (
	apiDoc struct {
		Info struct {
			Title, Version, Summary, Description string
		}
		Tags       []struct{ Name, Description string }
		Paths      orderedMap[orderedMap[apiOperation]]
		Components struct {
			Schemas         orderedMap[*apiSchema]
			Responses       map[string]apiResponse
			Parameters      map[string]apiParam
			Headers         map[string]apiHeader
			SecuritySchemes orderedMap[struct{ Type, Scheme, In, Name, Description string }]
		}
	}
	apiOperation struct {
		Tags                 []string
		OperationID, Summary string
		Description          string
		Security             []map[string][]string
		Parameters           []apiParam
		RequestBody          *struct {
			Required bool
			Content  orderedMap[apiMedia]
		}
		Responses orderedMap[apiResponse]
	}
	apiParam struct {
		Ref                   string `json:"$ref"`
		Name, In, Description string
		Required, Deprecated  bool
		Schema                *apiSchema
		Example               any
	}
	apiResponse struct {
		Ref         string `json:"$ref"`
		Description string
		Headers     orderedMap[apiHeader]
		Content     orderedMap[apiMedia]
	}
	apiHeader struct {
		Ref         string `json:"$ref"`
		Description string
		Required    bool
		Schema      *apiSchema
	}
	apiMedia struct {
		Schema *apiSchema
	}
	apiSchema struct {
		Ref                  string `json:"$ref"`
		Type                 any
		Format, Description  string
		Pattern              string
		MinLength, MaxLength *int
		Minimum, Maximum     *json.Number
		MaxItems             *int
		UniqueItems          bool
		Enum                 []any
		Const                any
		Default              any
		Items                *apiSchema
		Properties           orderedMap[*apiSchema]
		Required             []string
		AdditionalProperties json.RawMessage
		ContentMediaType     string
	}
)

// The view the template renders.
type (
	pageView struct {
		Title, Version, Summary, Description string
		Auth                                 []nameText
		Tags                                 []tagView
		Schemas                              []schemaView
	}
	nameText struct{ Name, Text string }
	tagView  struct {
		Name, Description string
		Ops               []opView
	}
	opView struct {
		Method, Path, Anchor, Summary, Description, Auth string
		Params                                           []paramView
		Body                                             []mediaView
		BodyRequired                                     bool
		Responses                                        []responseView
	}
	paramView struct {
		Name, In, Description, Rules string
		Type                         template.HTML
		Required, Deprecated         bool
	}
	mediaView struct {
		ContentType string
		Type        template.HTML
	}
	responseView struct {
		Status, Description string
		Content             []mediaView
		Headers             []nameText
	}
	schemaView struct {
		Name, Anchor, Description string
		Type                      template.HTML
		Rules                     string
		Props                     []propView
	}
	propView struct {
		Name, Description, Rules string
		Type                     template.HTML
		Required                 bool
	}
)

// renderDocsHTML renders the page of the OpenAPI document spec.
func renderDocsHTML(spec []byte) ([]byte, error) {
	var doc apiDoc
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, err
	}
	tmpl, err := template.New("page.html.tmpl").Funcs(template.FuncMap{"lower": strings.ToLower}).ParseFS(templates, "page.html.tmpl")
	if err != nil {
		return nil, err
	}
	v, err := newPageView(&doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func newPageView(doc *apiDoc) (*pageView, error) {
	v := &pageView{Title: doc.Info.Title, Version: doc.Info.Version, Summary: doc.Info.Summary, Description: doc.Info.Description}
	for _, name := range doc.Components.SecuritySchemes.keys {
		s := doc.Components.SecuritySchemes.vals[name]
		v.Auth = append(v.Auth, nameText{Name: name, Text: s.Description})
	}
	byTag := make(map[string]int)
	for _, t := range doc.Tags {
		byTag[t.Name] = len(v.Tags)
		v.Tags = append(v.Tags, tagView{Name: t.Name, Description: t.Description})
	}
	for _, path := range doc.Paths.keys {
		item := doc.Paths.vals[path]
		for _, method := range item.keys {
			op := item.vals[method]
			ov, err := newOpView(doc, strings.ToUpper(method), path, &op)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", strings.ToUpper(method), path, err)
			}
			tag := "other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			i, ok := byTag[tag]
			if !ok {
				i = len(v.Tags)
				byTag[tag] = i
				v.Tags = append(v.Tags, tagView{Name: tag})
			}
			v.Tags[i].Ops = append(v.Tags[i].Ops, ov)
		}
	}
	for _, name := range doc.Components.Schemas.keys {
		s := doc.Components.Schemas.vals[name]
		sv := schemaView{Name: name, Anchor: "schema-" + name, Description: s.Description, Type: schemaType(s), Rules: schemaRules(s)}
		sv.Props = schemaProps(s, "")
		v.Schemas = append(v.Schemas, sv)
	}
	return v, nil
}

func newOpView(doc *apiDoc, method, path string, op *apiOperation) (opView, error) {
	ov := opView{Method: method, Path: path, Anchor: "op-" + op.OperationID, Summary: op.Summary, Description: op.Description}
	var auth []string
	for _, req := range op.Security {
		for name := range req {
			auth = append(auth, name)
		}
	}
	if len(auth) == 0 {
		ov.Auth = "none"
	} else {
		ov.Auth = strings.Join(auth, " or ")
	}
	for _, p := range op.Parameters {
		if p.Ref != "" {
			rp, ok := doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
			if !ok {
				return ov, fmt.Errorf("unresolved %s", p.Ref)
			}
			p = rp
		}
		ov.Params = append(ov.Params, paramView{
			Name: p.Name, In: p.In, Description: p.Description, Required: p.Required, Deprecated: p.Deprecated,
			Type: schemaType(p.Schema), Rules: schemaRules(p.Schema),
		})
	}
	if rb := op.RequestBody; rb != nil {
		ov.BodyRequired = rb.Required
		ov.Body = mediaViews(rb.Content)
	}
	for _, status := range op.Responses.keys {
		r := op.Responses.vals[status]
		if r.Ref != "" {
			rr, ok := doc.Components.Responses[strings.TrimPrefix(r.Ref, "#/components/responses/")]
			if !ok {
				return ov, fmt.Errorf("unresolved %s", r.Ref)
			}
			r = rr
		}
		rv := responseView{Status: status, Description: r.Description, Content: mediaViews(r.Content)}
		for _, name := range r.Headers.keys {
			h := r.Headers.vals[name]
			if h.Ref != "" {
				rh, ok := doc.Components.Headers[strings.TrimPrefix(h.Ref, "#/components/headers/")]
				if !ok {
					return ov, fmt.Errorf("unresolved %s", h.Ref)
				}
				h = rh
			}
			rv.Headers = append(rv.Headers, nameText{Name: name, Text: h.Description})
		}
		ov.Responses = append(ov.Responses, rv)
	}
	return ov, nil
}

func mediaViews(c orderedMap[apiMedia]) []mediaView {
	var out []mediaView
	for _, ct := range c.keys {
		out = append(out, mediaView{ContentType: ct, Type: schemaType(c.vals[ct].Schema)})
	}
	return out
}

// schemaType describes a schema's type in a few words, linking the named
// schemas it refers to.
func schemaType(s *apiSchema) template.HTML {
	if s == nil {
		return "any"
	}
	if name, ok := strings.CutPrefix(s.Ref, "#/components/schemas/"); ok {
		e := template.HTMLEscapeString(name)
		return template.HTML(`<a href="#schema-` + e + `">` + e + `</a>`)
	}
	var types []string
	switch t := s.Type.(type) {
	case string:
		types = []string{t}
	case []any:
		for _, x := range t {
			types = append(types, fmt.Sprint(x))
		}
	}
	if len(types) == 0 {
		return "any"
	}
	parts := make([]string, len(types))
	for i, t := range types {
		switch {
		case t == "array":
			parts[i] = "array of " + string(schemaType(s.Items))
		case t == "string" && s.ContentMediaType != "":
			parts[i] = "file (" + template.HTMLEscapeString(s.ContentMediaType) + ")"
		case s.Format != "" && t != "null":
			parts[i] = template.HTMLEscapeString(t + " (" + s.Format + ")")
		default:
			parts[i] = template.HTMLEscapeString(t)
		}
	}
	return template.HTML(strings.Join(parts, " or "))
}

// schemaRules lists a schema's constraints and default in words.
func schemaRules(s *apiSchema) string {
	if s == nil || s.Ref != "" {
		return ""
	}
	var r []string
	switch {
	case s.MinLength != nil && s.MaxLength != nil:
		r = append(r, fmt.Sprintf("%d..%d characters", *s.MinLength, *s.MaxLength))
	case s.MinLength != nil:
		r = append(r, fmt.Sprintf("at least %d characters", *s.MinLength))
	case s.MaxLength != nil:
		r = append(r, fmt.Sprintf("at most %d characters", *s.MaxLength))
	}
	switch {
	case s.Minimum != nil && s.Maximum != nil:
		r = append(r, fmt.Sprintf("%s..%s", *s.Minimum, *s.Maximum))
	case s.Minimum != nil:
		r = append(r, fmt.Sprintf("at least %s", *s.Minimum))
	case s.Maximum != nil:
		r = append(r, fmt.Sprintf("at most %s", *s.Maximum))
	}
	if s.Pattern != "" {
		r = append(r, "pattern "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		vals := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			vals[i] = fmt.Sprint(e)
		}
		r = append(r, "one of "+strings.Join(vals, ", "))
	}
	if s.Const != nil {
		r = append(r, fmt.Sprintf("always %v", s.Const))
	}
	if s.MaxItems != nil {
		r = append(r, fmt.Sprintf("at most %d items", *s.MaxItems))
	}
	if s.UniqueItems {
		r = append(r, "unique items")
	}
	if s.Default != nil {
		r = append(r, fmt.Sprintf("default %v", s.Default))
	}
	return strings.Join(r, "; ")
}

// schemaProps lists the properties of an object schema, and those of the
// objects it holds inline, with dotted names ("dates[].date").
func schemaProps(s *apiSchema, prefix string) []propView {
	if s == nil || s.Ref != "" {
		return nil
	}
	if s.Type == "array" && s.Items != nil && prefix != "" {
		return schemaProps(s.Items, strings.TrimSuffix(prefix, ".")+"[].")
	}
	var out []propView
	for _, name := range s.Properties.keys {
		p := s.Properties.vals[name]
		full := prefix + name
		out = append(out, propView{
			Name: full, Description: p.Description, Rules: schemaRules(p),
			Type: schemaType(p), Required: slices.Contains(s.Required, name),
		})
		out = append(out, schemaProps(p, full+".")...)
	}
	if prefix != "" && len(out) == 0 {
		return nil
	}
	switch ap := strings.TrimSpace(string(s.AdditionalProperties)); {
	case ap == "" || ap == "true" || ap == "false":
	default:
		var as apiSchema
		if json.Unmarshal(s.AdditionalProperties, &as) == nil {
			out = append(out, propView{Name: prefix + "*", Description: "any other key", Type: schemaType(&as)})
		}
	}
	return out
}

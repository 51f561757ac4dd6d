package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDocsHTMLEscapes(t *testing.T) {
	spec := `{"openapi":"3.1.0","info":{"title":"<script>alert(1)</script>","version":"1","description":"a <b>b</b> & c"},
	"paths":{"/x":{"get":{"operationId":"x\"><script>","summary":"<img src=x onerror=alert(1)>",
	"responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/A\"><script>"}}}}}}}},
	"components":{"schemas":{"A\"><script>":{"type":"object","properties":{"<i>":{"type":"string","pattern":"^<script>$"}}}}}}`
	page, err := renderDocsHTML([]byte(spec))
	require.NoError(t, err)
	s := string(page)
	assert.NotContains(t, s, "<script>")
	assert.NotContains(t, s, "<img")
	assert.NotContains(t, s, "<i>")
	assert.NotContains(t, s, "<b>")
	assert.Contains(t, s, "&lt;script&gt;alert(1)&lt;/script&gt;")
}

func TestDocsHTMLRefusesBrokenDocuments(t *testing.T) {
	for name, spec := range map[string]string{
		"not JSON":             `{`,
		"unresolved response":  `{"paths":{"/x":{"get":{"responses":{"200":{"$ref":"#/components/responses/Nope"}}}}}}`,
		"unresolved parameter": `{"paths":{"/x":{"get":{"parameters":[{"$ref":"#/components/parameters/Nope"}]}}}}`,
		"unresolved header":    `{"paths":{"/x":{"get":{"responses":{"200":{"headers":{"H":{"$ref":"#/components/headers/Nope"}}}}}}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := renderDocsHTML([]byte(spec))
			assert.Error(t, err)
		})
	}
}

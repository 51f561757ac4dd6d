package gatehouse

import (
	"context"
	"fmt"
	"net/http"
	"sync"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
)

// GET /session serves the document that json.Marshal makes of
// Gatehouse.SessionDocument, without building it: the parts that depend
// only on the caller's permission set (session_roles,
// session_role_params, bp_process_roles_list and the role parameters'
// values) are encoded once per set and kept; the rest (the user's
// fields, the system parameters under the user's and the roles'
// overrides, the host's sections) is encoded for every request, by hand
// (documents_encode.go), because what it depends on — the user as read
// for this request and the parameters read under this request's version —
// is known only per request. Nothing of a user or a session is kept.

// setParts are the encoded parts of the session document that depend only
// on a permission set and the deployment's declared specifics.
type setParts struct {
	// declared is the declared catalogue (Gatehouse.specifics) the parts
	// were made under; nil when none was declared.
	declared *[]string
	// roles, roleParams and specifics are session_roles,
	// session_role_params and sessioninfo's bp_process_roles_list.
	roles, roleParams, specifics []byte
	// roleValue is the value of each role parameter, by code.
	roleValue map[string]string
}

// setPartsCacheSize bounds the sets whose parts are kept. Role
// combinations are few; when it is reached, the next miss empties the
// cache (as permissions.Cache does), which also lets go of the sets of
// past policy versions.
const setPartsCacheSize = 512

// setPartsCache keeps the parts of each permission set, by the set's
// pointer. A Set is immutable, and a kept one is referenced by its entry,
// so its pointer names one set for as long as the entry lives: an entry
// is never another set's. A policy change compiles new sets, which miss.
type setPartsCache struct {
	m  sync.Map // *permissions.Set → *setParts
	mu sync.Mutex
	n  int // entries stored since the last clear, under mu
}

// documentSets is the process's setPartsCache. It is shared by every
// Gatehouse: its entries are keyed by set and declared catalogue, which
// belong to one Gatehouse each.
var documentSets setPartsCache

// get returns the parts of set under the declared catalogue, made now if
// none are kept.
func (c *setPartsCache) get(set *permissions.Set, declared *[]string) *setParts {
	if v, ok := c.m.Load(set); ok {
		if p := v.(*setParts); p.declared == declared {
			return p
		}
	}
	p := newSetParts(set, declared)
	c.mu.Lock()
	if c.n >= setPartsCacheSize {
		c.m.Clear()
		c.n = 0
	}
	c.m.Store(set, p)
	c.n++
	c.mu.Unlock()
	return p
}

// len returns the number of entries kept.
func (c *setPartsCache) len() int {
	n := 0
	c.m.Range(func(any, any) bool { n++; return true })
	return n
}

// newSetParts encodes the parts of set under the declared catalogue, as
// SessionDocument fills them.
func newSetParts(set *permissions.Set, declared *[]string) *setParts {
	var names []string
	if declared != nil {
		names = *declared
	}
	params := set.Params()
	p := &setParts{
		declared:   declared,
		roles:      appendRoleRefs(nil, set.Roles()),
		roleParams: appendRoleParams(nil, params),
		specifics:  appendJSONStrings(nil, set.Specifics(names...)),
		roleValue:  make(map[string]string, len(params)),
	}
	for _, rp := range params {
		p.roleValue[rp.Code] = rp.Value
	}
	return p
}

// documentBuffers are the buffers GET /session encodes into.
var documentBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledBuffer is the largest buffer put back into documentBuffers.
const maxPooledBuffer = 64 << 10

// appendSessionJSON appends the session document of a exactly as
// json.Marshal(g.SessionDocument(ctx, a)) encodes it, reading and calling
// what SessionDocument reads and calls, in the same order, with the same
// errors. A section's value that encoding/json cannot encode is a
// *sectionError too.
func (g *Gatehouse) appendSessionJSON(ctx context.Context, dst []byte, a *session.Auth) ([]byte, error) {
	if a == nil || a.Set == nil {
		return nil, fmt.Errorf("gatehouse: session document: %w", session.ErrUnauthenticated)
	}
	sp := documentSets.get(a.Set, g.specifics.Load())
	params, err := g.sessions.Parameters(ctx, a)
	if err != nil {
		return nil, fmt.Errorf("gatehouse: session document: parameters: %w", err)
	}
	// What the document takes from a is encoded before the sections are
	// called, as SessionDocument reads it before: a section that changes
	// the Auth it is given changes neither.
	u := &a.User
	sbp := documentBuffers.Get().(*[]byte)
	scratch := append((*sbp)[:0], '[')
	for i := range params {
		v := params[i].Value
		if rv, ok := sp.roleValue[params[i].Code]; ok {
			v = rv
		}
		if uv, ok := u.Parameters[params[i].Code]; ok {
			v = uv
		}
		if i > 0 {
			scratch = append(scratch, ',')
		}
		scratch = appendParameter(scratch, &params[i], v)
	}
	scratch = append(scratch, ']')
	end := len(scratch)
	info := SessionInfo{
		ID: u.ID, Login: u.Username, Email: u.Email, Title: u.Name,
		Lang: g.locale(u), Attributes: u.Attributes,
	}
	scratch = appendSessionInfo(scratch, &info, sp.specifics)
	parts := documentParts{
		parameters: scratch[:end],
		roleParams: sp.roleParams,
		roles:      sp.roles,
		info:       scratch[end:],
	}

	var values []any
	if len(g.sectionNames) > 0 {
		values = make([]any, len(g.sectionNames))
	}
	for i, name := range g.sectionNames {
		v, err := g.sections[name].Section(ctx, a)
		if err != nil {
			putBuffer(sbp, scratch)
			return nil, &sectionError{name: name, err: err}
		}
		values[i] = v
	}
	dst, err = appendDocument(dst, &parts, g.sectionNames, values)
	putBuffer(sbp, scratch)
	return dst, err
}

// putBuffer puts b, grown from *bp, back into documentBuffers unless it
// is too large to keep.
func putBuffer(bp *[]byte, b []byte) {
	if cap(b) > maxPooledBuffer {
		return
	}
	*bp = b[:0]
	documentBuffers.Put(bp)
}

// writeJSONBytes answers with b, a JSON document, as writeJSON answers
// with the encoding of a value.
func writeJSONBytes(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	// Shared, canonical-keyed values: no allocation per response. Their
	// length equals their capacity, so a later Add appends to a copy.
	h["Content-Type"] = jsonContentType
	h["X-Content-Type-Options"] = nosniffValue
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	nosniffValue    = []string{"nosniff"}
)

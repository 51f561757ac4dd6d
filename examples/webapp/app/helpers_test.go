package app_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/examples/webapp/app"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
)

// The users of the app's own data file.
var passwords = map[string]string{
	"alice": "alice-password",
	"bob":   "bob-password",
	"carol": "carol-password",
}

// env is the app served on a loopback port.
type env struct {
	app *app.App
	srv *httptest.Server
}

// start serves the app over data (nil: its own data file) until the test
// ends, with the fast test hasher.
func start(t *testing.T, data *datafile.File) *env {
	t.Helper()
	a, err := app.New(t.Context(), app.Options{
		Data: data, InsecureCookie: true, Hasher: gatehousetest.Hasher(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	require.NoError(t, err)
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, a.Close())
	})
	return &env{app: a, srv: srv}
}

// browser is one browser: its own cookies, redirects not followed (so that
// each 303 can be checked), asking for HTML as a browser does.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (e *env) browser(t *testing.T) *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &browser{t: t, base: e.srv.URL, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is an answer: its status, Location and parsed HTML.
type page struct {
	t        *testing.T
	status   int
	location string
	header   http.Header
	body     string
	doc      *html.Node
}

func (b *browser) do(r *http.Request) *page {
	b.t.Helper()
	r.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
	r.Header.Set("Sec-Fetch-Mode", "navigate")
	resp, err := b.c.Do(r)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	doc, err := html.Parse(strings.NewReader(string(body)))
	require.NoError(b.t, err)
	return &page{t: b.t, status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(body), doc: doc}
}

// get loads a page.
func (b *browser) get(path string) *page {
	b.t.Helper()
	r, err := http.NewRequest(http.MethodGet, b.base+path, nil)
	require.NoError(b.t, err)
	return b.do(r)
}

// post submits a form to path (a same-origin form: the browser says so).
func (b *browser) post(path string, form url.Values) *page {
	b.t.Helper()
	return b.postFrom(b.base, path, form)
}

// postFrom submits a form to path from a page of origin.
func (b *browser) postFrom(origin, path string, form url.Values) *page {
	b.t.Helper()
	r, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", origin)
	if origin == b.base {
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		r.Header.Set("Sec-Fetch-Site", "cross-site")
	}
	return b.do(r)
}

// login logs in with the login page's form and checks that it worked.
func (b *browser) login(username, password string) {
	b.t.Helper()
	p := b.post("/auth/login", url.Values{"username": {username}, "password": {password}, "next": {"/"}, "submit": {"login"}})
	require.Equal(b.t, http.StatusSeeOther, p.status, p.body)
	require.Equal(b.t, "/", p.location)
	require.Equal(b.t, username, b.get("/").text("#whoami"))
}

// loggedIn opens a new browser logged in as username.
func (e *env) loggedIn(t *testing.T, username string) *browser {
	t.Helper()
	b := e.browser(t)
	b.login(username, passwords[username])
	return b
}

// all returns the elements matching a simple selector: tag, #id, .class and
// [attr=value] parts, as in "tr.session[data-id=x]"; a space separates a
// descendant selector ("table#users tr.user").
func (p *page) all(sel string) []*html.Node {
	nodes := []*html.Node{p.doc}
	for _, part := range strings.Fields(sel) {
		m := parseSel(part)
		var next []*html.Node
		seen := map[*html.Node]bool{}
		for _, n := range nodes {
			walk(n, func(c *html.Node) {
				if c != n && !seen[c] && m.match(c) {
					seen[c] = true
					next = append(next, c)
				}
			})
		}
		nodes = next
	}
	return nodes
}

// one returns the one element matching sel, failing the test otherwise.
func (p *page) one(sel string) *html.Node {
	p.t.Helper()
	ns := p.all(sel)
	require.Len(p.t, ns, 1, "elements matching %q in\n%s", sel, p.body)
	return ns[0]
}

// count counts the elements matching sel.
func (p *page) count(sel string) int { return len(p.all(sel)) }

// text is the text of the one element matching sel, spaces collapsed.
func (p *page) text(sel string) string {
	p.t.Helper()
	return textOf(p.one(sel))
}

// attr is an attribute of the one element matching sel.
func (p *page) attr(sel, name string) string {
	p.t.Helper()
	return attrOf(p.one(sel), name)
}

// attrs are an attribute of every element matching sel.
func (p *page) attrs(sel, name string) []string {
	var out []string
	for _, n := range p.all(sel) {
		out = append(out, attrOf(n, name))
	}
	return out
}

type matcher struct {
	tag, id string
	classes []string
	attrs   [][2]string
}

func parseSel(s string) matcher {
	var m matcher
	for s != "" {
		i := strings.IndexAny(s[1:], "#.[") + 1
		if i == 0 {
			i = len(s)
		}
		tok := s[:i]
		if tok[0] == '[' {
			j := strings.IndexByte(s, ']')
			tok, i = s[1:j], j+1
			k, v, _ := strings.Cut(tok, "=")
			m.attrs = append(m.attrs, [2]string{k, strings.Trim(v, `"`)})
		} else {
			switch tok[0] {
			case '#':
				m.id = tok[1:]
			case '.':
				m.classes = append(m.classes, tok[1:])
			default:
				m.tag = tok
			}
		}
		s = s[i:]
	}
	return m
}

func (m matcher) match(n *html.Node) bool {
	if n.Type != html.ElementNode || (m.tag != "" && n.Data != m.tag) || (m.id != "" && attrOf(n, "id") != m.id) {
		return false
	}
	classes := strings.Fields(attrOf(n, "class"))
	for _, c := range m.classes {
		found := false
		for _, have := range classes {
			found = found || have == c
		}
		if !found {
			return false
		}
	}
	for _, kv := range m.attrs {
		v, ok := attrValue(n, kv[0])
		if !ok || (kv[1] != "" && v != kv[1]) {
			return false
		}
	}
	return true
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, f)
	}
}

func attrValue(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func attrOf(n *html.Node, name string) string {
	v, _ := attrValue(n, name)
	return v
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteString(" ")
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

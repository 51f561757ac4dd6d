package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// TestHarness checks the harness itself against a stand-in page: a form
// typed into and submitted lands where its redirect says with the text it
// sent, two sessions do not share cookies, and saveArtifacts writes a PNG
// screenshot and the page's HTML.
func TestHarness(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>stand-in</title>
<form id="f" method="post" action="/echo"><input name="word"><button type="submit" name="submit" value="go">Go</button></form>`)
	})
	mux.HandleFunc("POST /echo", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "word", Value: r.PostFormValue("word"), Path: "/", HttpOnly: true})
		http.Redirect(w, r, "/done?submit="+r.PostFormValue("submit"), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		word := "(none)"
		if c, err := r.Cookie("word"); err == nil {
			word = c.Value
		}
		fmt.Fprintf(w, `<!doctype html><p id="word">%s</p>`, html.EscapeString(word))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	a := newSession(t, "a", srv.URL)
	if resp := a.Open("/"); resp.Status != http.StatusOK {
		t.Fatalf("GET /: status %d", resp.Status)
	}
	a.Type("#f input[name=word]", "hello")
	resp := a.Click("#f button[type=submit]")
	if resp.Status != http.StatusOK {
		t.Errorf("after the submit: status %d, want 200", resp.Status)
	}
	if u := a.URL(); u.Path != "/done" || u.Query().Get("submit") != "go" {
		t.Errorf("after the submit: at %s, want /done?submit=go (the button's value sent)", u)
	}
	if got := a.Text("#word"); got != "hello" {
		t.Errorf("#word = %q, want hello (typed, posted, set as a cookie)", got)
	}
	if n := a.Count("#nothing-here"); n != 0 {
		t.Errorf("Count(#nothing-here) = %d", n)
	}

	b := newSession(t, "b", srv.URL)
	b.Open("/done")
	if got := b.Text("#word"); got != "(none)" {
		t.Errorf("session b sees the cookie of session a: #word = %q", got)
	}

	dir := t.TempDir()
	a.saveArtifacts(dir)
	png, err := os.ReadFile(filepath.Join(dir, "a.png"))
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot artifact: %v, %d bytes, not a PNG", err, len(png))
	}
	page, err := os.ReadFile(filepath.Join(dir, "a.html"))
	if err != nil || !bytes.Contains(page, []byte(`<p id="word">hello</p>`)) {
		t.Errorf("HTML artifact: %v, %q", err, page)
	}
}

package browsertest

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gatehouse-go/gatehouse/examples/webapp/app"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
)

// The users of the example's own data file (examples/webapp/app/webapp.json).
const (
	alicePassword = "alice-password" // manager: customers, all attributes, users_manage
	bobPassword   = "bob-password"   // viewer: reads customers, e-mail hidden
	carolPassword = "carol-password" // sales: reads and edits customers
)

// startApp serves a new example application (its own data file, an
// in-memory store) on a loopback port for the length of t, and returns its
// URL.
func startApp(t *testing.T) string {
	t.Helper()
	a, err := app.New(context.Background(), app.Options{
		InsecureCookie: true, // plain HTTP on loopback
		// Passwords are still checked for real, only hashed cheaply.
		Hasher: gatehousetest.Hasher(),
		// The app's log goes with the test's output (shown on failure, or -v).
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
	})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("closing the app: %v", err)
		}
	})
	return srv.URL
}

// Login fills in the login page with username and password and submits it
// by its button, starting from the page the browser is on when that is the
// login page, else from /login. It returns the status of the page the
// browser lands on.
func (s *Session) Login(username, password string) int {
	s.t.Helper()
	if s.URL().Path != "/login" || s.Count("form#login") == 0 {
		s.Open("/login")
	}
	s.Type("form#login input[name=username]", username)
	s.Type("form#login input[name=password]", password)
	return int(s.Click("form#login button[type=submit]").Status)
}

// LoginOK logs in as Login does and fails the test unless the browser left
// the login page.
func (s *Session) LoginOK(username, password string) {
	s.t.Helper()
	s.Login(username, password)
	if s.URL().Path == "/login" {
		msg := "(no #login-error)"
		if s.Count("#login-error") > 0 {
			msg = s.Text("#login-error")
		}
		s.fatalf("logging in as %s: still on the login page: %s", username, msg)
	}
}

// expectLoginPage fails the test unless the browser is on the login page
// with next set to next, in the URL and in the form's hidden field.
func (s *Session) expectLoginPage(next string) {
	s.t.Helper()
	u := s.URL()
	if u.Path != "/login" || u.Query().Get("next") != next {
		s.fatalf("want the login page with next=%s", next)
	}
	if got := Eval[string](s, `document.querySelector("form#login input[type=hidden][name=next]")?.value ?? "(none)"`); got != next {
		s.fatalf("the login form's next field is %q, want %q", got, next)
	}
}

// expectPage fails the test unless the browser is at path (after any
// redirects) and the page has an element sel matches.
func (s *Session) expectPage(path, sel string) {
	s.t.Helper()
	if got := s.URL().Path; got != path {
		s.fatalf("want %s", path)
	}
	s.MustHave(sel)
}

// rowText is the rendered text of the customers table's row of customer id
// (the cells the user may read, in order).
func (s *Session) rowText(id string) string {
	s.t.Helper()
	return s.Text(`table#customers tr[data-id="` + id + `"]`)
}

// editFields are the fields of the page's edit form of customer id, as the
// browser would post them.
func (s *Session) editFields(id string) map[string]string {
	s.t.Helper()
	sel := `form.edit[action="/customers/` + id + `"]`
	s.MustHave(sel)
	return Eval[map[string]string](s, `Object.fromEntries(new FormData(document.querySelector(`+jsString(sel)+`)))`)
}

// PostForm builds a form in the current page, as a script on it could,
// that posts fields to action, submits it and returns the status of the
// page that answers it (after any redirects).
func (s *Session) PostForm(action string, fields map[string]string) int {
	s.t.Helper()
	var js strings.Builder
	js.WriteString(`(() => { const f = document.createElement("form"); f.method = "post"; f.action = ` + jsString(action) + `;`)
	for k, v := range fields {
		js.WriteString(` { const i = document.createElement("input"); i.type = "hidden"; i.name = ` + jsString(k) + `; i.value = ` + jsString(v) + `; f.appendChild(i); }`)
	}
	js.WriteString(` document.body.appendChild(f); f.submit(); })()`)
	resp := s.Load("submitting a form built by script to "+action, chromedp.Evaluate[chromedp.Void](js.String()))
	return int(resp.Status)
}

func TestLoginShowsErrorAndReturnsToPageAsked(t *testing.T) {
	base := startApp(t)
	s := newSession(t, "visitor", base)

	s.Open("/")
	s.MustHave("a#login-link")
	if n := s.Count("#whoami"); n != 0 {
		t.Fatalf("a new browser is greeted as %q", s.Text("#whoami"))
	}

	// A page behind the login sends the browser to the login page.
	s.Open("/account")
	s.expectLoginPage("/account")

	// A wrong password: back on the login page, the error in words, next kept.
	s.Login("alice", "not-alices-password")
	s.expectLoginPage("/account")
	if got := s.Text("#login-error"); got != "Wrong username or password." {
		t.Errorf("#login-error = %q, want %q", got, "Wrong username or password.")
	}
	s.Open("/")
	if n := s.Count("#whoami"); n != 0 {
		t.Fatalf("logged in as %q after a wrong password", s.Text("#whoami"))
	}

	// The right one lands on the page first asked for.
	s.Open("/account")
	s.expectLoginPage("/account")
	if n := s.Count("#login-error"); n != 0 {
		t.Errorf("a fresh login page shows an error: %q", s.Text("#login-error"))
	}
	if status := s.Login("alice", alicePassword); status != http.StatusOK {
		t.Errorf("after the login: status %d", status)
	}
	s.expectPage("/account", "form#password")
	s.Open("/")
	if got := s.Text("#whoami"); got != "alice" {
		t.Errorf("#whoami = %q after the login, want alice", got)
	}

	// Logging out by the nav's button ends the session.
	s.Click("form#logout button")
	s.Open("/account")
	s.expectLoginPage("/account")
}

func TestReadOnlyUserSeesNoEditFormsAndIsRefusedForgedEdit(t *testing.T) {
	base := startApp(t)

	// carol may edit: her page has the edit forms and every column, so
	// the selectors below find what they look for where it is allowed.
	carol := newSession(t, "carol", base)
	carol.LoginOK("carol", carolPassword)
	carol.Open("/")
	carol.MustHave(`table#customers th[data-attr="email"]`)
	if n := carol.Count(`form.edit`); n == 0 {
		t.Fatal("carol, who may update customers, has no edit form")
	}
	forged := carol.editFields("c1")
	if _, ok := forged["name"]; !ok {
		t.Fatalf("carol's edit form of c1 has no name field: %v", forged)
	}
	forged["name"] = "Forged Name"

	bob := newSession(t, "bob", base)
	bob.LoginOK("bob", bobPassword)
	bob.Open("/")
	if got := bob.Text("#whoami"); got != "bob" {
		t.Fatalf("#whoami = %q, want bob", got)
	}
	bob.MustHave(`table#customers th[data-attr="name"]`)
	for _, id := range []string{"c1", "c2", "c3"} {
		bob.MustHave(`table#customers tr[data-id="` + id + `"]`)
	}
	if n := bob.Count(`th[data-attr="email"]`); n != 0 {
		t.Errorf("bob, for whom email is hidden, sees the email column")
	}
	if n := bob.Count(`form.edit`) + bob.Count(`button.save`); n != 0 {
		t.Errorf("bob, who may only read customers, sees %d edit forms or buttons", n)
	}
	before := bob.rowText("c1")
	if before == "" || strings.Contains(before, "Forged") {
		t.Fatalf("c1's row reads %q before the forged edit", before)
	}

	// The same edit carol's form would post, built and submitted by a
	// script on bob's own page (same origin, bob's cookie): refused.
	if status := bob.PostForm("/customers/c1", forged); status != http.StatusForbidden {
		t.Errorf("bob's forged edit: status %d, want 403", status)
	}
	bob.MustHave("#refused")
	bob.Open("/")
	if after := bob.rowText("c1"); after != before {
		t.Errorf("c1's row changed after bob's refused edit: %q, was %q", after, before)
	}
	if Eval[bool](bob, `document.body.innerText.includes("Forged Name")`) {
		t.Error("the forged name is on the page")
	}

	// The same form from carol's page is accepted: it was the permission
	// that refused bob, not the form.
	if status := carol.PostForm("/customers/c1", forged); status != http.StatusOK {
		t.Errorf("carol's edit: status %d after the redirect, want 200", status)
	}
	carol.expectPage("/", "table#customers")
	bob.Open("/")
	if after := bob.rowText("c1"); !strings.Contains(after, "Forged Name") {
		t.Errorf("c1's row is %q after carol's edit, want the new name", after)
	}

	// And through her own form, as she would: type, click Save.
	carol.Type(`form.edit[action="/customers/c2"] input[name="city"]`, "Astana")
	carol.Click(`form.edit[action="/customers/c2"] button.save`)
	carol.expectPage("/", "#flash")
	bob.Open("/")
	if after := bob.rowText("c2"); !strings.Contains(after, "Astana") {
		t.Errorf("c2's row is %q after carol saved a new city, want Astana", after)
	}
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	base := startApp(t)
	a := newSession(t, "carol-A", base)
	b := newSession(t, "carol-B", base)
	a.LoginOK("carol", carolPassword)
	b.LoginOK("carol", carolPassword)
	b.Open("/account")
	b.expectPage("/account", "table#sessions")

	a.Open("/account")
	a.Type(`form#password input[name="current_password"]`, carolPassword)
	a.Type(`form#password input[name="new_password"]`, "carol-new-password")
	a.Click(`form#password button`)
	a.expectPage("/account", "#flash")
	t.Logf("flash after the password change: %q", a.Text("#flash"))

	// A stays logged in (its session is replaced); B's session is gone.
	a.Open("/account")
	a.expectPage("/account", "form#password")
	b.Open("/account")
	b.expectLoginPage("/account")

	// The old password no longer works, the new one does.
	b.Login("carol", carolPassword)
	b.expectLoginPage("/account")
	b.MustHave("#login-error")
	b.LoginOK("carol", "carol-new-password")
	b.expectPage("/account", "form#password")
}

func TestLogOutSessionFromList(t *testing.T) {
	base := startApp(t)
	a := newSession(t, "alice-A", base)
	b := newSession(t, "alice-B", base)
	a.LoginOK("alice", alicePassword)
	b.LoginOK("alice", alicePassword)

	a.Open("/account")
	if n := a.Count(`table#sessions tr.session`); n != 2 {
		t.Fatalf("%d sessions listed, want 2 (A and B)", n)
	}
	if n := a.Count(`table#sessions tr.session.current`); n != 1 {
		t.Fatalf("%d sessions marked current, want 1", n)
	}
	if !strings.Contains(a.Text(`table#sessions tr.session.current`), "this one") {
		t.Errorf("the current session's row does not say %q: %q", "this one", a.Text(`table#sessions tr.session.current`))
	}
	if n := a.Count(`table#sessions tr.session.current form.revoke`); n != 0 {
		t.Errorf("the current session has a log-out form of its own")
	}

	// "log out" on B's row (the one not current).
	a.Click(`table#sessions tr.session:not(.current) form.revoke button`)
	a.expectPage("/account", "#flash")
	if n := a.Count(`table#sessions tr.session`); n != 1 {
		t.Errorf("%d sessions listed after logging B out, want 1", n)
	}
	b.Open("/account")
	b.expectLoginPage("/account")
	a.Open("/account")
	a.expectPage("/account", "table#sessions")

	// "log out everywhere else" ends B's new session too.
	b.LoginOK("alice", alicePassword)
	a.Open("/account")
	if n := a.Count(`table#sessions tr.session`); n != 2 {
		t.Fatalf("%d sessions listed, want 2", n)
	}
	a.Click(`form#revoke-others button`)
	a.expectPage("/account", "#flash")
	b.Open("/account")
	b.expectLoginPage("/account")
	a.Open("/account")
	a.expectPage("/account", "table#sessions")
	if n := a.Count(`table#sessions tr.session`); n != 1 {
		t.Errorf("%d sessions listed after logging out everywhere else, want 1", n)
	}
}

// attackPage is a page of another origin with a form that posts fields to
// target; the test clicks its button, as a person lured there would.
var attackPage = template.Must(template.New("attack").Parse(`<!doctype html>
<title>a page elsewhere</title>
<form id="attack" method="post" action="{{.Target}}">
{{range $k, $v := .Fields}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}<button type="submit" id="go">Win a prize</button>
</form>`))

func TestFormsFromAnotherOriginAreRefused(t *testing.T) {
	base := startApp(t)
	carol := newSession(t, "carol", base)
	carol.LoginOK("carol", carolPassword)
	carol.Open("/")
	fields := carol.editFields("c1")
	fields["name"] = "Forged Name"
	before := carol.rowText("c1")

	// The other origin: another loopback port. It is the same site to the
	// browser (same host), so carol's SameSite=Lax cookie goes with its
	// forms; only the application's cross-origin check stands in the way.
	attacks := map[string]struct {
		target string
		fields map[string]string
	}{
		"/logout":   {base + "/auth/logout", nil},
		"/customer": {base + "/customers/c1", fields},
		"/password": {base + "/account/password", map[string]string{"current_password": carolPassword, "new_password": "attacker-password"}},
		// Logging the victim in as someone else (login CSRF).
		"/login": {base + "/auth/login", map[string]string{"username": "bob", "password": bobPassword}},
	}
	mux := http.NewServeMux()
	for path, a := range attacks {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_ = attackPage.Execute(w, struct {
				Target string
				Fields map[string]string
			}{a.target, a.fields})
		})
	}
	other := httptest.NewServer(mux)
	t.Cleanup(other.Close)
	if strings.TrimPrefix(other.URL, "http://") == strings.TrimPrefix(base, "http://") {
		t.Fatal("the second origin is the application's")
	}

	for _, path := range []string{"/logout", "/customer", "/password", "/login"} {
		carol.Open(other.URL + path)
		if status := int(carol.Click("#go").Status); status != http.StatusForbidden {
			t.Errorf("the form of %s%s: status %d, want 403", other.URL, path, status)
		}
		// Back on the application: still logged in.
		carol.Open(base + "/account")
		carol.expectPage("/account", "form#password")
	}
	carol.Open(base + "/")
	if got := carol.Text("#whoami"); got != "carol" {
		t.Errorf("#whoami = %q, want carol", got)
	}
	if after := carol.rowText("c1"); after != before {
		t.Errorf("c1's row changed: %q, was %q", after, before)
	}
	// The password is unchanged: it still logs in, in a new browser.
	fresh := newSession(t, "carol-fresh", base)
	fresh.LoginOK("carol", carolPassword)
}

func TestAdminCreatesUserWhoLogsIn(t *testing.T) {
	base := startApp(t)
	alice := newSession(t, "alice", base)
	alice.LoginOK("alice", alicePassword)
	alice.Open("/admin")
	alice.expectPage("/admin", "form#create-user")
	alice.MustHave(`table#users tr.user[data-username="bob"]`)
	if n := alice.Count(`table#users tr.user[data-username="dora"]`); n != 0 {
		t.Fatal("dora is listed before she is created")
	}

	alice.Type(`form#create-user input[name="username"]`, "dora")
	alice.Type(`form#create-user input[name="password"]`, "dora-password-1")
	alice.Type(`form#create-user input[name="name"]`, "Dora Viewer")
	alice.Type(`form#create-user input[name="email"]`, "dora@example.com")
	alice.Check(`form#create-user input[name="roles"][value="viewer"]`)
	alice.Click(`form#create-user button`)
	alice.expectPage("/admin", "#flash")
	t.Logf("flash after creating dora: %q", alice.Text("#flash"))
	alice.MustHave(`table#users tr.user[data-username="dora"]`)

	// dora logs in in a browser of her own, and sees what a viewer sees.
	dora := newSession(t, "dora", base)
	dora.LoginOK("dora", "dora-password-1")
	dora.Open("/")
	if got := dora.Text("#whoami"); got != "dora" {
		t.Errorf("#whoami = %q, want dora", got)
	}
	dora.MustHave(`table#customers th[data-attr="name"]`)
	if n := dora.Count(`th[data-attr="email"]`) + dora.Count(`form.edit`); n != 0 {
		t.Errorf("dora, a viewer, sees the email column or edit forms")
	}

	// The admin page is not hers.
	if status := int(dora.Open("/admin").Status); status != http.StatusForbidden {
		t.Errorf("dora on /admin: status %d, want 403", status)
	}
	if n := dora.Count("form#create-user"); n != 0 {
		t.Error("dora sees the create-user form")
	}
}

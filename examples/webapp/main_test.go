package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// serve runs the command with args on a free loopback port until stop is
// called (or the test ends), and returns its base URL and the lines it
// printed about its users.
func serve(t *testing.T, args ...string) (base string, users []string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0", "-bcrypt-cost", "10"}, args...), pw, io.Discard)
		pw.Close()
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, 0, code, "a clean shutdown exits 0")
		case <-time.After(15 * time.Second):
			t.Error("webapp did not stop")
		}
	}
	t.Cleanup(stop)
	out := bufio.NewReader(pr)
	line, err := out.ReadString('\n')
	require.NoError(t, err)
	m := regexp.MustCompile(`^gatehouse web application on (http://\S+)\n$`).FindStringSubmatch(line)
	require.NotNil(t, m, line)
	line, err = out.ReadString('\n')
	require.NoError(t, err)
	require.Regexp(t, `^log in with (\(username / password\)|the users of \S+):\n$`, line)
	for {
		line, err := out.ReadString('\n')
		require.NoError(t, err)
		if line == "stop it with Ctrl-C\n" {
			break
		}
		users = append(users, strings.Join(strings.Fields(line), " "))
	}
	go io.Copy(io.Discard, out)
	return m[1], users, stop
}

// browser is a client with cookies that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// page GETs base+path as a browser and returns the status and body.
func page(t *testing.T, c *http.Client, base, path string) (int, string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	r.Header.Set("Accept", "text/html")
	resp, err := c.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// submit posts a same-origin form as a browser does and returns the status and Location.
func submit(t *testing.T, c *http.Client, base, path string, form url.Values) (int, string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", base)
	r.Header.Set("Accept", "text/html") // a browser's form submission
	resp, err := c.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

func login(t *testing.T, c *http.Client, base, username, password string) {
	t.Helper()
	status, loc := submit(t, c, base, "/auth/login", url.Values{"username": {username}, "password": {password}, "next": {"/"}})
	require.Equal(t, http.StatusSeeOther, status)
	require.Equal(t, "/", loc, "logged in as %s", username)
}

// Every password hash costs seconds under the race detector: these tests
// log in as little as they can, and run in parallel.

func TestWebappServesItsOwnDataAndPrintsTheUsers(t *testing.T) {
	t.Parallel()
	base, users, _ := serve(t)
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+$`, base)
	assert.Equal(t, []string{
		"alice / alice-password roles: manager",
		"bob / bob-password roles: viewer",
		"carol / carol-password roles: sales",
	}, users)

	c := browser(t)
	status, body := page(t, c, base, "/")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<a id="login-link" href="/login">`)
	status, body = page(t, c, base, "/login")
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `<form id="login" method="post" action="/auth/login">`)
	status, _ = page(t, c, base, "/static/style.css")
	assert.Equal(t, http.StatusOK, status)
}

// customerFile is a data file of another schema, with one user.
const customerFile = `{
  "schema": {"Customer": ["title", "region"]},
  "roles": [{"code": "reader", "entities": {"Customer": ["read"]}, "attributes": {"Customer": {"*": "read"}}}],
  "users": [{"username": "dan", "password": "dan-password", "name": "Dan", "company": "acme", "roles": ["reader"]}]
}`

func writeData(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "data.json")
	require.NoError(t, os.WriteFile(path, []byte(customerFile), 0o600))
	return path
}

func TestWebappTakesAnyDataFileWithACustomer(t *testing.T) {
	t.Parallel()
	base, users, _ := serve(t, "-data", writeData(t))
	assert.Equal(t, []string{"dan roles: reader"}, users, "a data file of one's own: no passwords printed")
	c := browser(t)
	login(t, c, base, "dan", "dan-password") // over plain HTTP: the cookie is not Secure
	_, body := page(t, c, base, "/")
	assert.Contains(t, body, `<span id="whoami">dan</span>`)
	assert.Contains(t, body, `<th data-attr="title">title</th><th data-attr="region">region</th></tr>`, "the columns are the file's")
	assert.NotContains(t, body, `class="edit"`)
}

func TestWebappStoreFlagKeepsUsersAndSessions(t *testing.T) {
	t.Parallel()
	data, db := writeData(t), filepath.Join(t.TempDir(), "webapp.db")
	base, _, stop := serve(t, "-data", data, "-store", "sqlite:"+db)
	dan := browser(t)
	login(t, dan, base, "dan", "dan-password")
	status, _ := submit(t, dan, base, "/account/profile", url.Values{"name": {"Daniel"}, "email": {""}, "phone": {""}})
	require.Equal(t, http.StatusSeeOther, status)
	stop()

	base2, _, _ := serve(t, "-data", data, "-store", "sqlite:"+db)
	// The cookie jar is keyed by host and port: hand dan's cookie over.
	u1, err := url.Parse(base)
	require.NoError(t, err)
	u2, err := url.Parse(base2)
	require.NoError(t, err)
	dan.Jar.SetCookies(u2, dan.Jar.Cookies(u1))
	status, body := page(t, dan, base2, "/account")
	require.Equal(t, http.StatusOK, status, "dan's session survived the restart")
	assert.Contains(t, body, `name="name" value="Daniel"`, "and so did the change of his name")
}

func TestWebappExitsOneOnMistakes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	noCustomer := write("product.json", `{"schema": {"Product": ["name"]}}`)
	badEmail := write("bad.json", `{"schema": {"Customer": ["name"]}, "users": [{"username": "ab", "password": "12345678", "company": "abc", "email": "nope"}]}`)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, "unexpected arguments"},
		{"missing data file", []string{"-data", filepath.Join(dir, "nope.json")}, "no such file"},
		{"no Customer entity", []string{"-data", noCustomer}, "no Customer entity"},
		{"bad data file", []string{"-data", badEmail}, "users[0].email"},
		{"unknown store", []string{"-store", "mysql://db"}, "-store"},
		{"bad address", []string{"-addr", "256.0.0.1:80"}, "webapp:"},
		{"weak bcrypt cost", []string{"-bcrypt-cost", "4"}, "-bcrypt-cost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			args := append([]string{"-addr", "127.0.0.1:0"}, tc.args...) // a later -addr wins
			assert.Equal(t, 1, run(context.Background(), args, io.Discard, &stderr))
			assert.Contains(t, stderr.String(), tc.want)
		})
	}
	assert.Equal(t, 0, run(context.Background(), []string{"-h"}, io.Discard, io.Discard), "-h is no mistake")
}
